import QtQuick
import controls

// State of charge (coloured by its level), the range, and whether the car is charging.
Panel {
    id: panel
    property string socText: "--"
    property string socLevel: "unknown"
    property real fraction: 0
    property string rangeText: "--"
    property bool charging: false
    property bool compact: false
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    Column {
        id: column
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
        spacing: Theme.spacingSmall
        Row {
            spacing: Theme.spacing
            Icon {
                anchors.verticalCenter: parent.verticalCenter
                name: panel.charging ? "battery-charging" : "battery-2"
                color: Theme.levelColour(panel.socLevel)
            }
            Label {
                id: soc
                objectName: "socValue"
                role: panel.compact ? "primary" : "headline"
                text: panel.socText
                color: Theme.levelColour(panel.socLevel)
            }
            Label {
                objectName: "rangeValue"
                anchors.baseline: soc.baseline
                role: "primary"
                text: panel.rangeText
            }
        }
        Bar {
            width: parent.width
            value: panel.fraction
            fill: Theme.levelColour(panel.socLevel)
        }
    }
}
