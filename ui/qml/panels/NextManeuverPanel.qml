import QtQuick
import controls

// The next turn: its arrow, how far, onto which street.
Panel {
    id: panel
    property string icon
    property string distance
    property string street
    property bool compact: false
    implicitHeight: Math.max(arrow.height, column.implicitHeight) + 2 * Theme.spacing
    Icon {
        id: arrow
        objectName: "maneuverIcon"
        anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: Theme.spacing }
        name: panel.icon
        color: Theme.accent
        size: (panel.compact ? 48 : 72) * Theme.dp
    }
    Column {
        id: column
        anchors { left: arrow.right; right: parent.right; verticalCenter: parent.verticalCenter
                  leftMargin: Theme.spacing; rightMargin: Theme.spacing }
        Label {
            objectName: "maneuverDistance"
            role: panel.compact ? "primary" : "headline"
            text: panel.distance
        }
        Label {
            objectName: "maneuverStreet"
            width: parent.width
            visible: text !== ""
            text: panel.street
            wrapMode: Text.Wrap
        }
    }
}
