import QtQuick
import controls

// Push to talk, with what was heard and the reply beside the button.
Item {
    id: panel
    property bool listening: false
    property bool available: true
    property string heard
    property string reply
    signal talk(bool pressed)
    signal open()
    implicitHeight: Theme.touch
    RoundButton {
        id: button
        objectName: "stripTalk"
        anchors { left: parent.left; verticalCenter: parent.verticalCenter }
        icon: panel.available ? "microphone" : "microphone-off"
        lit: panel.listening
        size: Theme.touch
        onPressed: panel.talk(true)
        onReleased: panel.talk(false)
    }
    Column {
        anchors { left: button.right; right: parent.right; verticalCenter: parent.verticalCenter
                  leftMargin: Theme.spacing }
        Label {
            objectName: "stripHeard"
            width: parent.width
            text: panel.heard
            elide: Text.ElideRight
            font.italic: true
        }
        Label {
            objectName: "stripReply"
            width: parent.width
            visible: text !== ""
            text: panel.reply
            color: Theme.muted
            elide: Text.ElideRight
        }
    }
    MouseArea {
        anchors { left: button.right; right: parent.right; top: parent.top; bottom: parent.bottom }
        onClicked: panel.open()
    }
}
