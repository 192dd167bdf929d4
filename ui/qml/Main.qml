import QtQuick
import QtQuick.Window

Window {
    id: root
    width: initialWidth
    height: initialHeight
    visible: true
    title: "Volant"
    color: theme.background
    onWidthChanged: theme.fitTo(width, height)
    onHeightChanged: theme.fitTo(width, height)

    StatusBar {
        id: bar
        anchors { left: parent.left; right: parent.right; top: parent.top }
    }

    Loader {
        id: screen
        objectName: "screenLoader"
        readonly property bool ready: status === Loader.Ready
        anchors { left: parent.left; right: parent.right; top: bar.bottom; bottom: parent.bottom }
        source: navigator.screen === "home" ? "screens/HomeScreen.qml" : navigator.screenUrl
    }

    Text {
        visible: screen.status !== Loader.Ready
        anchors.centerIn: screen
        width: screen.width * 0.8
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: theme.muted
        font.pixelSize: 28 * theme.scale
        text: screen.status === Loader.Loading ? "Loading…"
            : "The " + navigator.screen + " screen is not available in this build."
    }
}
