import QtQuick

// The driver's instruments: speed first, then power/regen, battery and range, warnings.
Item {
    id: dash
    readonly property real s: theme.scale
    readonly property real pad: 20 * s
    readonly property bool busBand: vehicle.isBus

    function levelColour(level) {
        return level === "critical" ? theme.critical : level === "warning" ? theme.warning : theme.accent
    }

    // -- speed and gear -------------------------------------------------------------------
    Rectangle {
        id: speedPanel
        anchors { left: parent.left; top: parent.top; margins: dash.pad }
        width: parent.width * 0.36
        height: parent.height - 2 * dash.pad - (dash.busBand ? busPanel.height + dash.pad : 0)
        radius: 16 * dash.s
        color: theme.surface
        border.color: theme.border

        Text {
            id: speedValue
            objectName: "speedValue"
            anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; topMargin: parent.height * 0.08 }
            text: vehicle.speedText
            color: vehicle.speedValid ? theme.text : theme.critical
            font.pixelSize: Math.min(parent.height * 0.42, 210 * dash.s)
            font.bold: true
        }
        Text {
            objectName: "speedUnit"
            anchors { horizontalCenter: parent.horizontalCenter; top: speedValue.bottom; topMargin: -8 * dash.s }
            text: vehicle.speedUnit
            color: theme.muted
            font.pixelSize: 30 * dash.s
        }
        // speed bar along the bottom: a second cue, readable in peripheral vision
        Rectangle {
            id: speedTrack
            anchors { left: parent.left; right: parent.right; bottom: gearRow.top; margins: 24 * dash.s }
            height: 12 * dash.s
            radius: height / 2
            color: theme.border
            Rectangle {
                objectName: "speedBar"
                width: parent.width * vehicle.speedFraction
                height: parent.height
                radius: parent.radius
                color: theme.accent
            }
        }
        Row {
            id: gearRow
            anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom; bottomMargin: 16 * dash.s }
            spacing: 18 * dash.s
            Repeater {
                model: ["P", "R", "N", "D"]
                delegate: Text {
                    required property string modelData
                    text: modelData
                    color: vehicle.gear === modelData ? theme.accent : theme.muted
                    opacity: vehicle.gear === modelData ? 1.0 : 0.45
                    font.pixelSize: 40 * dash.s
                    font.bold: vehicle.gear === modelData
                }
            }
        }
    }

    // -- power / regen ----------------------------------------------------------------------
    Rectangle {
        id: powerPanel
        anchors { left: speedPanel.right; right: parent.right; top: parent.top; margins: dash.pad }
        height: 120 * dash.s
        radius: 16 * dash.s
        color: theme.surface
        border.color: theme.border

        Text {
            anchors { left: parent.left; top: parent.top; margins: 14 * dash.s }
            text: qsTr("REGEN")
            color: theme.ok
            font.pixelSize: 22 * dash.s
            font.bold: true
        }
        Text {
            objectName: "powerValue"
            anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; topMargin: 8 * dash.s }
            text: Math.round(vehicle.powerKw) + " kW"
            color: vehicle.powerKw < 0 ? theme.ok : theme.text
            font.pixelSize: 34 * dash.s
            font.bold: true
        }
        Text {
            anchors { right: parent.right; top: parent.top; margins: 14 * dash.s }
            text: qsTr("POWER")
            color: theme.accent
            font.pixelSize: 22 * dash.s
            font.bold: true
        }
        Rectangle {
            id: powerTrack
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: 18 * dash.s }
            height: 24 * dash.s
            radius: 6 * dash.s
            color: theme.border
            Rectangle {  // zero mark
                x: parent.width / 2 - 1
                width: 3
                height: parent.height
                color: theme.muted
            }
            Rectangle {
                objectName: "powerBar"
                readonly property real f: vehicle.powerFraction
                x: f >= 0 ? parent.width / 2 : parent.width / 2 * (1 + f)
                width: Math.abs(f) * parent.width / 2
                height: parent.height
                radius: 6 * dash.s
                color: f >= 0 ? theme.accent : theme.ok
            }
        }
    }

    // -- battery and range ------------------------------------------------------------------
    Rectangle {
        id: batteryPanel
        anchors { left: speedPanel.right; top: powerPanel.bottom; margins: dash.pad }
        width: (parent.width - speedPanel.width - 4 * dash.pad) * 0.55
        height: speedPanel.height - powerPanel.height - dash.pad
        radius: 16 * dash.s
        color: theme.surface
        border.color: theme.border
        readonly property real soc: vehicle.soc
        readonly property color socColour: soc < 0 ? theme.muted : soc < 5 ? theme.critical
                                           : soc < 15 ? theme.warning : theme.ok

        Text {
            id: socText
            objectName: "socValue"
            anchors { left: parent.left; top: parent.top; margins: 18 * dash.s }
            text: batteryPanel.soc < 0 ? "--" : Math.round(batteryPanel.soc) + "%"
            color: batteryPanel.socColour
            font.pixelSize: Math.min(84 * dash.s, parent.height * 0.36)
            font.bold: true
        }
        Text {
            anchors { left: socText.right; leftMargin: 16 * dash.s; baseline: socText.baseline }
            text: vehicle.charging ? "⚡ " + qsTr("charging") : qsTr("battery")
            color: theme.muted
            font.pixelSize: 24 * dash.s
        }
        Rectangle {
            id: socTrack
            anchors { left: parent.left; right: parent.right; top: socText.bottom; margins: 18 * dash.s }
            height: 22 * dash.s
            radius: 6 * dash.s
            color: theme.border
            Rectangle {
                width: parent.width * Math.max(0, batteryPanel.soc) / 100
                height: parent.height
                radius: parent.radius
                color: batteryPanel.socColour
            }
        }
        Text {
            objectName: "rangeValue"
            anchors { left: parent.left; right: parent.right; top: socTrack.bottom
                      margins: 18 * dash.s; topMargin: 28 * dash.s }
            text: qsTr("Range %1").arg(vehicle.rangeText)
            color: theme.text
            font.pixelSize: Math.min(40 * dash.s, parent.height * 0.17)
            fontSizeMode: Text.HorizontalFit  // a longer word for "Range" shrinks, never spills
            minimumPixelSize: 12
            font.bold: true
        }
    }

    // -- pack, outside, odometer ------------------------------------------------------------
    Rectangle {
        id: climatePanel
        anchors { left: batteryPanel.right; right: parent.right; top: powerPanel.bottom; margins: dash.pad }
        height: batteryPanel.height * 0.42
        radius: 16 * dash.s
        color: theme.surface
        border.color: theme.border
        Column {
            id: climate
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                      leftMargin: 16 * dash.s; rightMargin: 12 * dash.s }
            spacing: 4 * dash.s
            Text {
                objectName: "packValue"
                width: climate.width
                text: qsTr("Pack %1").arg(vehicle.packText)
                color: vehicle.packState === "cold" ? theme.accent
                     : vehicle.packState === "hot" ? theme.critical : theme.text
                font.pixelSize: 28 * dash.s
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 12
                font.bold: true
            }
            Text {
                width: climate.width
                text: qsTr("Outside %1").arg(vehicle.outsideText)
                color: theme.muted
                font.pixelSize: 20 * dash.s
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 10
            }
            Text {
                width: climate.width
                text: qsTr("Odometer %1").arg(vehicle.odometerText)
                color: theme.muted
                font.pixelSize: 20 * dash.s
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 10
            }
        }
    }

    // -- warnings ------------------------------------------------------------------------------
    Column {
        id: warningList
        objectName: "warnings"
        anchors { left: batteryPanel.right; right: parent.right; top: climatePanel.bottom; bottom: batteryPanel.bottom
                  leftMargin: dash.pad; rightMargin: dash.pad; topMargin: dash.pad }
        spacing: 8 * dash.s
        clip: true
        Text {
            visible: vehicle.warnings.length === 0
            text: "✓ " + qsTr("No warnings")
            color: theme.ok
            font.pixelSize: 24 * dash.s
        }
        Repeater {
            model: vehicle.warnings
            delegate: Rectangle {
                required property var modelData
                width: warningList.width
                height: warningText.implicitHeight + 14 * dash.s
                radius: 8 * dash.s
                color: dash.levelColour(modelData.level)
                Text {
                    id: warningText
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 10 * dash.s }
                    text: (modelData.level === "critical" ? "⚠ " : "") + modelData.text
                    color: modelData.level === "warning" ? "#101418" : "white"
                    font.pixelSize: 22 * dash.s
                    font.bold: modelData.level === "critical"
                    wrapMode: Text.WordWrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                }
            }
        }
    }

    // -- bus: line and next stop -------------------------------------------------------------
    Rectangle {
        id: busPanel
        objectName: "busPanel"
        visible: dash.busBand
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: dash.pad }
        height: 64 * dash.s
        radius: 12 * dash.s
        color: theme.accent
        Text {
            anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: 20 * dash.s }
            text: vehicle.nextStop
            color: "white"
            font.pixelSize: 30 * dash.s
            font.bold: true
            elide: Text.ElideRight
            width: parent.width - 40 * dash.s
        }
    }
}
