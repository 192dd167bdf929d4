import QtQuick
import controls

// Where the route goes and when it gets there.
Panel {
    id: panel
    property string arrival
    property string remaining
    property string destination
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    Column {
        id: column
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
        Row {
            spacing: Theme.spacingSmall
            Icon { name: "flag"; color: Theme.accent; anchors.verticalCenter: parent.verticalCenter }
            Label { objectName: "arrivalTime"; role: "primary"; text: panel.arrival }
        }
        Label {
            objectName: "remainingText"
            width: parent.width
            text: panel.remaining
            color: Theme.muted
            wrapMode: Text.WordWrap
        }
        Label {
            objectName: "destinationText"
            width: parent.width
            visible: text !== ""
            text: panel.destination
            wrapMode: Text.WordWrap
        }
    }
}
