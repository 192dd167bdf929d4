import QtQuick
import controls

// The bottom strip's music: title and artist, play/pause and next; a tap on the text opens
// the library.
Item {
    id: panel
    property string title
    property string artist
    property bool playing: false
    signal toggle()
    signal next()
    signal open()
    implicitHeight: Theme.touch
    Row {
        id: buttons
        anchors { left: parent.left; verticalCenter: parent.verticalCenter }
        spacing: Theme.spacingSmall
        RoundButton {
            objectName: "stripPlay"
            size: Theme.touch
            icon: panel.playing ? "player-pause" : "player-play"
            lit: true
            onClicked: panel.toggle()
        }
        RoundButton {
            objectName: "stripNext"
            icon: "player-skip-forward"
            size: Theme.touch
            onClicked: panel.next()
        }
    }
    Column {
        anchors { left: buttons.right; right: parent.right; verticalCenter: parent.verticalCenter
                  leftMargin: Theme.spacing }
        Label {
            objectName: "stripTitle"
            width: parent.width
            text: panel.title
            elide: Text.ElideRight
            wrapMode: Text.WordWrap
            maximumLineCount: panel.artist === "" ? 2 : 1
        }
        Label {
            width: parent.width
            visible: text !== ""
            text: panel.artist
            color: Theme.muted
            elide: Text.ElideRight
        }
    }
    MouseArea {
        objectName: "openMedia"
        anchors { left: buttons.right; right: parent.right; top: parent.top; bottom: parent.bottom }
        onClicked: panel.open()
    }
}
