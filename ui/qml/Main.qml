import QtQuick
import QtQuick.Window
import controls
import "screens"

// The head unit: the map-first home under the full-screen views, the bottom strip always.
// The view models arrive as initial properties and go only to the screens.
Window {
    id: root
    required property var theme
    required property var navigator
    required property var status
    required property var settings
    required property var vehicle
    required property var mapView
    required property var voice
    required property var media
    required property var restrictions
    width: 1280
    height: 720
    visible: true
    title: "Volant"
    color: Theme.background
    onWidthChanged: root.theme.fitTo(width, height)
    onHeightChanged: root.theme.fitTo(width, height)

    Binding { target: Theme; property: "night"; value: root.theme.night }
    Binding { target: Theme; property: "dp"; value: root.theme.dp }

    readonly property var views: ({
        dashboard: { title: qsTr("Vehicle"), url: "screens/DashboardScreen.qml",
                     models: { vehicle: root.vehicle } },
        media: { title: qsTr("Media"), url: "screens/MediaScreen.qml", models: { media: root.media } },
        voice: { title: qsTr("Voice"), url: "screens/VoiceScreen.qml", models: { voice: root.voice } },
        settings: { title: qsTr("Settings"), url: "screens/SettingsScreen.qml",
                    models: { settings: root.settings } }
    })
    readonly property var view: root.views[root.navigator.screen] || null

    Item {
        id: content
        anchors { left: parent.left; right: parent.right; top: parent.top; bottom: strip.top }
        // Push-to-talk on the keyboard (a steering-wheel button on a desk): hold F2 to talk.
        focus: true
        Keys.onPressed: (event) => {
            if (event.key === Qt.Key_F2 && !event.isAutoRepeat) {
                root.voice.talk(true)
                event.accepted = true
            }
        }
        Keys.onReleased: (event) => {
            if (event.key === Qt.Key_F2 && !event.isAutoRepeat) {
                root.voice.talk(false)
                event.accepted = true
            }
        }

        HomeScreen {
            objectName: "home"
            anchors.fill: parent
            visible: root.view === null
            vehicle: root.vehicle
            mapView: root.mapView
            restrictions: root.restrictions
            mapOnly: root.navigator.screen === "map"
        }

        Rectangle {
            objectName: "overlay"
            visible: root.view !== null
            anchors.fill: parent
            color: Theme.background
            Item {
                id: header
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
                height: Theme.touch
                Label {
                    objectName: "viewTitle"
                    anchors { left: parent.left; verticalCenter: parent.verticalCenter }
                    role: "primary"
                    text: root.view ? root.view.title : ""
                }
                RoundButton {
                    objectName: "homeButton"
                    anchors { right: parent.right; verticalCenter: parent.verticalCenter }
                    icon: "x"
                    size: Theme.touch
                    onClicked: root.navigator.go("home")
                }
            }
            Loader {
                id: screen
                objectName: "screenLoader"
                readonly property bool ready: root.view === null || status === Loader.Ready
                anchors { left: parent.left; right: parent.right; top: header.bottom; bottom: parent.bottom }
                Component.onCompleted: root.openView()
            }
        }
    }

    NoticeToast {
        anchors { horizontalCenter: content.horizontalCenter; bottom: content.bottom
                  bottomMargin: Theme.spacing }
        status: root.status
    }

    BottomStrip {
        id: strip
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        media: root.media
        voice: root.voice
        status: root.status
        settings: root.settings
        navigator: root.navigator
    }

    function openView() {
        if (root.view === null)
            screen.setSource("", {})
        else
            screen.setSource(root.view.url, root.view.models)
    }
    Connections {
        target: root.navigator
        function onChanged() { root.openView() }
    }
}
