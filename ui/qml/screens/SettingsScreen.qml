import QtQuick
import controls

// Each setting is a row of big segmented choices; a change is saved at once.
Flickable {
    id: page
    required property var settings
    contentHeight: column.implicitHeight + 2 * Theme.spacing
    interactive: contentHeight > height
    clip: true
    Column {
        id: column
        x: Theme.spacing
        y: Theme.spacing
        width: page.width - 2 * Theme.spacing
        spacing: Theme.spacing
        Choice {
            key: "Language"; label: qsTr("Language")
            options: page.settings.languages; labels: page.settings.languageNames
            current: page.settings.language; onPicked: (v) => page.settings.setLanguage(v)
        }
        Row {
            spacing: Theme.spacing
            Column {
                spacing: Theme.spacing
                Choice {
                    key: "Units"; label: qsTr("Units")
                    options: ["metric", "imperial"]; labels: ["km, °C", "mi, °F"]
                    current: page.settings.units; onPicked: (v) => page.settings.setUnits(v)
                }
                Choice {
                    key: "Day / night"; label: qsTr("Day / night")
                    options: ["auto", "day", "night"]; labels: [qsTr("Auto"), qsTr("Day"), qsTr("Night")]
                    current: page.settings.dayNight; onPicked: (v) => page.settings.setDayNight(v)
                }
            }
            Column {
                spacing: Theme.spacing
                Choice {
                    key: "Voice"; label: qsTr("Voice"); labelWidth: 150 * Theme.dp
                    options: ["on", "off"]; labels: [qsTr("On"), qsTr("Off")]
                    current: page.settings.voiceEnabled ? "on" : "off"
                    onPicked: (v) => page.settings.setVoiceEnabled(v === "on")
                }
                Choice {
                    key: "Wake phrase"; label: qsTr("Wake phrase"); labelWidth: 150 * Theme.dp
                    options: ["on", "off"]; labels: [qsTr("On"), qsTr("Off")]
                    current: page.settings.wakePhrase ? "on" : "off"
                    onPicked: (v) => page.settings.setWakePhrase(v === "on")
                }
            }
        }
        Label {
            text: qsTr("Saved in %1").arg(page.settings.path)
            color: Theme.muted
            width: parent.width
            wrapMode: Text.WrapAnywhere
        }
    }
}
