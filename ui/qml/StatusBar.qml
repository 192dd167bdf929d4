import QtQuick

// Always-visible top bar: home button, clock, outside temperature, battery, voice, notices.
Rectangle {
    id: bar
    height: 56 * theme.scale
    color: theme.surface
    border.color: theme.border

    readonly property real fontSize: 26 * theme.scale
    readonly property var voiceWords: ({ off: qsTr("off"), disabled: qsTr("disabled"),
        idle: qsTr("idle"), listening: qsTr("listening"), processing: qsTr("processing") })

    Rectangle {
        id: home
        objectName: "homeButton"
        visible: navigator.screen !== "home"
        width: visible ? homeLabel.implicitWidth + 28 * theme.scale : 0
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 6 * theme.scale }
        radius: 8 * theme.scale
        color: theme.accent
        Text {
            id: homeLabel
            anchors.centerIn: parent
            text: "⌂ " + qsTr("Home")
            color: "white"
            font.pixelSize: bar.fontSize * 0.8
            font.bold: true
        }
        MouseArea { anchors.fill: parent; onClicked: navigator.go("home") }
    }

    Text {
        id: clock
        objectName: "clock"
        anchors { left: home.right; leftMargin: 16 * theme.scale; verticalCenter: parent.verticalCenter }
        text: statusInfo.clock
        color: theme.text
        font.pixelSize: bar.fontSize
        font.bold: true
    }

    Text {
        anchors { left: clock.right; leftMargin: 20 * theme.scale; verticalCenter: parent.verticalCenter }
        text: statusInfo.outside
        color: theme.muted
        font.pixelSize: bar.fontSize
    }

    Text {
        id: message
        objectName: "notice"
        anchors.centerIn: parent
        width: parent.width * 0.45
        horizontalAlignment: Text.AlignHCenter
        elide: Text.ElideRight
        text: statusInfo.notice !== "" ? statusInfo.notice : statusInfo.progress
        color: statusInfo.noticeLevel === "error" ? theme.critical
             : statusInfo.noticeLevel === "warning" ? theme.warning : theme.text
        font.pixelSize: bar.fontSize * 0.8
    }

    Row {
        anchors { right: parent.right; rightMargin: 16 * theme.scale; verticalCenter: parent.verticalCenter }
        spacing: 20 * theme.scale
        Text {
            objectName: "fleetLink"
            visible: statusInfo.fleet !== ""
            text: statusInfo.fleetMessage !== "" ? "✉ " + qsTr("OK") : "⇅ " + statusInfo.fleet
            color: statusInfo.fleetMessage !== "" ? theme.warning
                 : statusInfo.fleetOnline ? theme.muted : theme.warning
            font.pixelSize: bar.fontSize * 0.8
            anchors.verticalCenter: parent.verticalCenter
            MouseArea { anchors.fill: parent; onClicked: statusInfo.acknowledgeFleetMessage() }
        }
        Text {
            objectName: "voiceState"
            text: "● " + qsTr("voice %1").arg(bar.voiceWords[statusInfo.voice] || statusInfo.voice)
            color: statusInfo.voice === "listening" ? theme.ok : theme.muted
            font.pixelSize: bar.fontSize * 0.8
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            objectName: "battery"
            text: "▮ " + statusInfo.battery
            color: statusInfo.batteryLow ? theme.critical : theme.text
            font.pixelSize: bar.fontSize
            font.bold: true
        }
    }
}
