import QtQuick

// Each setting is a row of big segmented choices; a change is saved at once.
Item {
    id: page
    readonly property real rowHeight: 72 * theme.scale
    readonly property real fontSize: 28 * theme.scale

    component Choice: Row {
        id: choice
        property string key  // names the options for tests and tools, whatever the language
        property string label
        property var options: []
        property var labels: []
        property string current
        signal picked(string value)
        spacing: 12 * theme.scale
        height: page.rowHeight
        Text {
            width: page.width * 0.28
            anchors.verticalCenter: parent.verticalCenter
            text: choice.label
            color: theme.text
            font.pixelSize: page.fontSize
            font.bold: true
        }
        Repeater {
            model: choice.options
            delegate: Rectangle {
                required property string modelData
                required property int index
                objectName: "option_" + choice.key + "_" + modelData
                width: Math.max(150 * theme.scale, optionText.implicitWidth + 32 * theme.scale)
                height: page.rowHeight - 12 * theme.scale
                anchors.verticalCenter: parent.verticalCenter
                radius: 10 * theme.scale
                color: choice.current === modelData ? theme.accent : theme.surface
                border.color: theme.border
                Text {
                    id: optionText
                    anchors.centerIn: parent
                    text: choice.labels[index] || modelData
                    color: choice.current === modelData ? "white" : theme.text
                    font.pixelSize: page.fontSize * 0.9
                }
                MouseArea { anchors.fill: parent; onClicked: choice.picked(modelData) }
            }
        }
    }

    Column {
        anchors { fill: parent; margins: 24 * theme.scale }
        spacing: 8 * theme.scale
        Choice {
            key: "Language"; label: qsTr("Language")
            options: ["en", "fr", "ko"]; labels: ["English", "Français", "한국어"]
            current: settings.language; onPicked: (v) => settings.setLanguage(v)
        }
        Choice {
            key: "Units"; label: qsTr("Units")
            options: ["metric", "imperial"]; labels: ["km, °C", "mi, °F"]
            current: settings.units; onPicked: (v) => settings.setUnits(v)
        }
        Choice {
            key: "Day / night"; label: qsTr("Day / night")
            options: ["auto", "day", "night"]; labels: [qsTr("Auto"), qsTr("Day"), qsTr("Night")]
            current: settings.dayNight; onPicked: (v) => settings.setDayNight(v)
        }
        Choice {
            key: "Voice"; label: qsTr("Voice")
            options: ["on", "off"]; labels: [qsTr("On"), qsTr("Off")]
            current: settings.voiceEnabled ? "on" : "off"
            onPicked: (v) => settings.setVoiceEnabled(v === "on")
        }
        Choice {
            key: "Wake phrase"; label: qsTr("Wake phrase")
            options: ["on", "off"]; labels: [qsTr("On"), qsTr("Off")]
            current: settings.wakePhrase ? "on" : "off"
            onPicked: (v) => settings.setWakePhrase(v === "on")
        }
        Text {
            text: qsTr("Saved in %1").arg(settings.path)
            color: theme.muted
            font.pixelSize: page.fontSize * 0.6
            width: parent.width
            elide: Text.ElideMiddle
        }
    }
}
