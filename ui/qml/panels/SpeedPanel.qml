pragma ComponentBehavior: Bound
import QtQuick
import controls

// Speed as a number first, a bar as a second cue, and the gear.
Panel {
    id: panel
    property string speedText: "--"
    property string unit: "km/h"
    property bool valid: true
    property real fraction: 0
    property string gear: "P"
    property var tellTales: []
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    TellTalesPanel {
        objectName: "tellTales"
        anchors { right: parent.right; top: parent.top; margins: Theme.spacingSmall }
        codes: panel.tellTales
    }
    Column {
        id: column
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
        spacing: Theme.spacingSmall
        Row {
            spacing: Theme.spacing
            Label {
                objectName: "speedValue"
                role: "display"
                text: panel.speedText
                color: panel.valid ? Theme.text : Theme.critical
            }
            Column {
                anchors.bottom: parent.bottom
                anchors.bottomMargin: Theme.spacing
                Label {
                    objectName: "speedUnit"
                    text: panel.unit
                    color: Theme.muted
                }
                Row {
                    objectName: "gears"
                    spacing: Theme.spacingSmall
                    Repeater {
                        model: ["P", "R", "N", "D"]
                        delegate: Label {
                            required property string modelData
                            role: "primary"
                            text: modelData
                            color: panel.gear === modelData ? Theme.accent : Theme.muted
                            font.bold: panel.gear === modelData
                            font.underline: panel.gear === modelData
                        }
                    }
                }
            }
        }
        Bar {
            objectName: "speedBar"
            width: parent.width
            value: panel.fraction
        }

    }
}
