import QtQuick
import controls

// Power drawn (right of the mark) or regenerated (left of it), scaled to the vehicle's limits.
// `compact`: the value beside the bar, without the REGEN/POWER legend.
Panel {
    id: panel
    property string powerText: "--"
    property real fraction: 0
    property bool compact: false
    implicitHeight: value.implicitHeight + (compact ? 0 : column.implicitHeight + Theme.spacingSmall)
                    + 2 * Theme.spacing
    Label {
        id: value
        objectName: "powerValue"
        anchors { left: parent.left; top: parent.top; margins: Theme.spacing }
        role: "primary"
        text: panel.powerText
        color: panel.fraction < 0 ? Theme.ok : Theme.text
    }
    Column {
        id: column
        anchors { left: panel.compact ? value.right : parent.left; right: parent.right
                  top: panel.compact ? undefined : value.bottom
                  verticalCenter: panel.compact ? value.verticalCenter : undefined
                  leftMargin: Theme.spacing; rightMargin: Theme.spacing
                  topMargin: Theme.spacingSmall }
        spacing: Theme.spacingSmall
        Bar {
            objectName: "powerBar"
            width: parent.width
            centred: true
            value: panel.fraction
        }
        Item {
            visible: !panel.compact
            width: parent.width
            height: regen.implicitHeight
            Label { id: regen; text: qsTr("REGEN"); color: Theme.ok; anchors.left: parent.left }
            Label { text: qsTr("POWER"); color: Theme.accent; anchors.right: parent.right }
        }
    }
}
