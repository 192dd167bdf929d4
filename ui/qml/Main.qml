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
        // Push-to-talk on the keyboard (a steering-wheel button on a desk): hold F2 to talk.
        // Keys a screen does not handle arrive here, on every screen.
        focus: true
        Keys.onPressed: (event) => {
            if (event.key === Qt.Key_F2 && !event.isAutoRepeat) {
                voice.talk(true)
                event.accepted = true
            }
        }
        Keys.onReleased: (event) => {
            if (event.key === Qt.Key_F2 && !event.isAutoRepeat) {
                voice.talk(false)
                event.accepted = true
            }
        }
    }

    Text {
        visible: screen.status !== Loader.Ready
        anchors.centerIn: screen
        width: screen.width * 0.8
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: theme.muted
        font.pixelSize: 28 * theme.scale
        text: screen.status === Loader.Loading ? qsTr("Loading…")
            : qsTr("The %1 screen is not available in this build.").arg(navigator.screen)
    }
}
