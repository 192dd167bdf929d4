import QtQuick

// The voice overlay: what Volant hears (live, then final), what it will do, its reply, and a
// big push-to-talk button (hold to talk; a tap on a disabled button shows why voice is off).
Item {
    id: page
    readonly property real s: theme.scale
    readonly property bool listening: voice.state === "listening"
    readonly property bool disabled: voice.state === "disabled"

    Rectangle { anchors.fill: parent; color: theme.background }

    Column {
        anchors { left: parent.left; right: talkButton.left; top: parent.top; margins: 32 * page.s }
        spacing: 18 * page.s

        Text {
            objectName: "stateText"
            text: page.disabled ? qsTr("Voice is off")
                  : page.listening ? qsTr("Listening…")
                  : voice.state === "processing" ? "Thinking…"
                  : voice.speaking ? qsTr("Speaking")
                  : voice.wakePhrase !== "" ? "Say “" + voice.wakePhrase + "”"
                  : qsTr("Hold the button and speak")
            color: page.listening ? theme.accent : page.disabled ? theme.warning : theme.text
            font.pixelSize: 40 * page.s
            font.bold: true
        }
        Text {
            objectName: "reasonText"
            visible: voice.reason !== "" && !page.listening
            width: parent.width
            text: voice.reason
            color: theme.muted
            font.pixelSize: 22 * page.s
            wrapMode: Text.WordWrap
        }
        Text {
            objectName: "examplesText"
            // Before anything is said: what can be said (the language's template examples).
            visible: voice.examples.length > 0 && voice.state === "idle" && !voice.speaking
                     && voice.transcript === "" && voice.reply === ""
            width: parent.width
            text: qsTr("Try saying") + "\n" + voice.examples.map(e => "“" + e + "”").join("\n")
            color: theme.muted
            font.pixelSize: 28 * page.s
            lineHeight: 1.15
            wrapMode: Text.WordWrap
        }
        Text {
            objectName: "heardText"
            width: parent.width
            text: voice.partial !== "" ? voice.partial
                  : voice.transcript !== "" ? "“" + voice.transcript + "”" : ""
            color: voice.partial !== "" ? theme.muted : theme.text
            font.pixelSize: 36 * page.s
            font.italic: voice.partial !== ""
            wrapMode: Text.WordWrap
        }
        Rectangle {
            visible: voice.action !== "" || voice.reply !== ""
            width: parent.width
            height: actionColumn.implicitHeight + 32 * page.s
            radius: 14 * page.s
            color: theme.surface
            border.color: voice.action !== "" ? theme.ok : theme.warning
            border.width: 3 * page.s
            Column {
                id: actionColumn
                anchors { left: parent.left; right: parent.right; top: parent.top
                          margins: 16 * page.s }
                spacing: 8 * page.s
                Text {
                    objectName: "actionText"
                    visible: voice.action !== ""
                    text: "→ " + voice.action
                    color: theme.ok
                    font.pixelSize: 28 * page.s
                    font.bold: true
                }
                Text {
                    objectName: "replyText"
                    width: parent.width
                    text: voice.reply
                    color: theme.text
                    font.pixelSize: 28 * page.s
                    wrapMode: Text.WordWrap
                }
            }
        }
    }

    Rectangle {
        id: talkButton
        objectName: "talkButton"
        width: Math.min(page.width * 0.3, page.height * 0.6)
        height: width
        radius: width / 2
        anchors { right: parent.right; verticalCenter: parent.verticalCenter
                  rightMargin: 40 * page.s }
        color: page.disabled ? theme.surface : page.listening ? theme.critical : theme.accent
        border.color: theme.border
        border.width: 4 * page.s
        Text {
            anchors.centerIn: parent
            width: parent.width * 0.8
            horizontalAlignment: Text.AlignHCenter
            text: page.listening ? qsTr("Release\nto send") : qsTr("Hold\nto talk")
            color: page.disabled ? theme.muted : "white"
            font.pixelSize: 34 * page.s
            font.bold: true
        }
        MouseArea {
            anchors.fill: parent
            onPressed: voice.talk(true)
            onReleased: voice.talk(false)
            onCanceled: voice.talk(false)
        }
    }
}
