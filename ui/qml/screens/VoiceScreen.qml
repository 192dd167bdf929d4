import QtQuick
import controls

// The voice view: what Volant hears (live, then final), what it will do, its reply, what can
// be said, and a big push-to-talk button (hold to talk).
Item {
    id: page
    required property var voice
    readonly property bool listening: voice.state === "listening"
    readonly property bool disabled: voice.state === "disabled"

    Flickable {
        anchors { left: parent.left; right: talkButton.left; top: parent.top; bottom: parent.bottom
                  margins: Theme.spacing }
        contentHeight: column.implicitHeight
        clip: true
        Column {
            id: column
            width: parent.width
            spacing: Theme.spacing

            Label {
                objectName: "stateText"
                width: parent.width
                role: "primary"
                wrapMode: Text.WordWrap
                text: page.disabled ? qsTr("Voice is off")
                      : page.listening ? qsTr("Listening…")
                      : page.voice.state === "processing" ? qsTr("Thinking…")
                      : page.voice.speaking ? qsTr("Speaking")
                      : page.voice.wakePhrase !== "" ? qsTr("Say “%1”").arg(page.voice.wakePhrase)
                      : qsTr("Hold the button and speak")
                color: page.listening ? Theme.accent : page.disabled ? Theme.warning : Theme.text
            }
            Label {
                objectName: "reasonText"
                visible: page.voice.reason !== "" && !page.listening
                width: parent.width
                text: page.voice.reason
                color: Theme.muted
                wrapMode: Text.WordWrap
            }
            Label {
                objectName: "examplesText"
                // Before anything is said: what can be said (the language's template examples).
                visible: page.voice.examples.length > 0 && page.voice.state === "idle"
                         && !page.voice.speaking && page.voice.transcript === "" && page.voice.reply === ""
                width: parent.width
                text: qsTr("Try saying") + "\n" + page.voice.examples.map(e => "“" + e + "”").join("\n")
                color: Theme.muted
                wrapMode: Text.WordWrap
            }
            Label {
                objectName: "heardText"
                width: parent.width
                role: "primary"
                font.bold: false
                text: page.voice.partial !== "" ? page.voice.partial
                      : page.voice.transcript !== "" ? "“" + page.voice.transcript + "”" : ""
                color: page.voice.partial !== "" ? Theme.muted : Theme.text
                font.italic: page.voice.partial !== ""
                wrapMode: Text.WordWrap
            }
            Panel {
                visible: page.voice.action !== "" || page.voice.reply !== ""
                width: parent.width
                height: actionColumn.implicitHeight + 2 * Theme.spacing
                border.color: page.voice.action !== "" ? Theme.ok : Theme.warning
                Column {
                    id: actionColumn
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
                    spacing: Theme.spacingSmall
                    Label {
                        objectName: "actionText"
                        visible: page.voice.action !== ""
                        width: parent.width
                        wrapMode: Text.WordWrap
                        text: "→ " + page.voice.action
                        color: Theme.ok
                        font.bold: true
                    }
                    Label {
                        objectName: "replyText"
                        width: parent.width
                        text: page.voice.reply
                        wrapMode: Text.WordWrap
                    }
                }
            }
        }
    }

    Rectangle {
        id: talkButton
        objectName: "talkButton"
        width: Math.min(page.width * 0.3, page.height * 0.8)
        height: width
        radius: width / 2
        anchors { right: parent.right; verticalCenter: parent.verticalCenter; rightMargin: Theme.spacingLarge }
        color: page.disabled ? Theme.raised : page.listening ? Theme.critical : Theme.accent
        border.color: Theme.edge
        border.width: Math.max(1, 2 * Theme.dp)
        readonly property color ink: page.disabled ? Theme.text : page.listening ? Theme.inkOnCritical : Theme.inkOnAccent
        Column {
            anchors.centerIn: parent
            Icon {
                anchors.horizontalCenter: parent.horizontalCenter
                name: page.disabled ? "microphone-off" : "microphone"
                color: talkButton.ink
                size: 56 * Theme.dp
            }
            Label {
                anchors.horizontalCenter: parent.horizontalCenter
                horizontalAlignment: Text.AlignHCenter
                text: page.listening ? qsTr("Release\nto send") : qsTr("Hold\nto talk")
                color: talkButton.ink
                role: "primary"
            }
        }
        MouseArea {
            anchors.fill: parent
            onPressed: page.voice.talk(true)
            onReleased: page.voice.talk(false)
            onCanceled: page.voice.talk(false)
        }
    }
}
