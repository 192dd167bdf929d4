pragma ComponentBehavior: Bound
import QtQuick
import controls
import panels

// The vehicle view: the instruments large, then pack, outside, odometer and every warning.
Flickable {
    id: dash
    required property var vehicle
    clip: true
    contentWidth: width
    contentHeight: Math.max(left.implicitHeight, right.implicitHeight) + 2 * Theme.spacing
                   + (busPanel.visible ? busPanel.height + Theme.spacing : 0)

    Column {
        id: left
        anchors { left: parent.left; top: parent.top; margins: Theme.spacing }
        width: (parent.width - 3 * Theme.spacing) / 2
        spacing: Theme.spacing
        SpeedPanel {
            width: parent.width
            speedText: dash.vehicle.speedText
            unit: dash.vehicle.speedUnit
            valid: dash.vehicle.speedValid
            fraction: dash.vehicle.speedFraction
            gear: dash.vehicle.gear
        }
        PowerPanel {
            width: parent.width
            powerText: dash.vehicle.powerText
            fraction: dash.vehicle.powerFraction
        }
        Label {
            objectName: "drivingMode"
            width: parent.width
            wrapMode: Text.WordWrap
            text: dash.vehicle.drivingModeText
            color: Theme.muted
        }
    }

    Column {
        id: right
        anchors { left: left.right; right: parent.right; top: parent.top; margins: Theme.spacing }
        spacing: Theme.spacing
        BatteryPanel {
            width: parent.width
            socText: dash.vehicle.socText
            socLevel: dash.vehicle.socLevel
            fraction: dash.vehicle.socFraction
            rangeText: qsTr("Range %1").arg(dash.vehicle.rangeText)
            charging: dash.vehicle.charging
        }
        Panel {
            width: parent.width
            height: facts.implicitHeight + 2 * Theme.spacing
            Column {
                id: facts
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
                Label {
                    objectName: "packValue"
                    width: parent.width
                    wrapMode: Text.WordWrap
                    text: qsTr("Pack %1").arg(dash.vehicle.packText)
                    color: dash.vehicle.packState === "cold" ? Theme.accent
                         : dash.vehicle.packState === "hot" ? Theme.critical : Theme.text
                    font.bold: true
                }
                Label {
                    width: parent.width
                    wrapMode: Text.WordWrap
                    text: qsTr("Outside %1").arg(dash.vehicle.outsideText)
                    color: Theme.muted
                }
                Label {
                    width: parent.width
                    wrapMode: Text.WordWrap
                    text: qsTr("Odometer %1").arg(dash.vehicle.odometerText)
                    color: Theme.muted
                }
            }
        }
        Column {
            objectName: "warnings"
            width: parent.width
            spacing: Theme.spacingSmall
            Label {
                visible: dash.vehicle.warnings.length === 0
                text: qsTr("No warnings")
                color: Theme.ok
            }
            Repeater {
                model: dash.vehicle.warnings
                delegate: AlertPanel {
                    required property var modelData
                    width: parent.width
                    text: modelData.text
                    level: modelData.level
                }
            }
        }
    }

    Rectangle {
        id: busPanel
        objectName: "busPanel"
        visible: dash.vehicle.isBus
        x: Theme.spacing
        y: dash.contentHeight - height - Theme.spacing
        width: dash.width - 2 * Theme.spacing
        height: Math.max(Theme.touch, busText.implicitHeight + 2 * Theme.spacingSmall)
        radius: Theme.radius
        color: Theme.accent
        Label {
            id: busText
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                      margins: Theme.spacing }
            text: dash.vehicle.nextStop
            role: "primary"
            color: Theme.inkOnAccent
            wrapMode: Text.WordWrap
        }
    }
}
