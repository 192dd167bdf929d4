import QtQuick
import controls
import panels

// The persistent bottom strip: now playing, the voice button with what was heard and the
// reply, the clock and outside temperature, quick settings.
Rectangle {
    id: strip
    required property var media
    required property var voice
    required property var status
    required property var settings
    required property var navigator
    readonly property bool night: strip.settings.dayNight === "night"
    height: Theme.stripHeight
    color: Theme.surface
    Rectangle { width: parent.width; height: Math.max(1, 2 * Theme.dp); color: Theme.border }

    NowPlayingPanel {
        id: music
        objectName: "nowPlaying"
        anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: Theme.spacing }
        width: (parent.width - quick.width - clock.width - 5 * Theme.spacing) * 0.55
        title: strip.media.title
        artist: strip.media.artist
        playing: strip.media.playing
        onToggle: strip.media.toggle()
        onNext: strip.media.next()
        onOpen: strip.navigator.go("media")
    }
    VoicePanel {
        objectName: "voicePanel"
        anchors { left: music.right; verticalCenter: parent.verticalCenter; leftMargin: Theme.spacing }
        width: (parent.width - quick.width - clock.width - 5 * Theme.spacing) * 0.45
        listening: strip.voice.state === "listening"
        available: strip.voice.state !== "disabled"
        heard: strip.voice.partial !== "" ? strip.voice.partial
             : strip.voice.transcript !== "" ? "“" + strip.voice.transcript + "”"
             : strip.voice.state === "disabled" ? qsTr("Voice is off") : qsTr("Hold to talk")
        reply: strip.voice.reply
        onTalk: (pressed) => strip.voice.talk(pressed)
        onOpen: strip.navigator.go("voice")
    }
    Column {
        id: clock
        anchors { right: quick.left; verticalCenter: parent.verticalCenter; rightMargin: Theme.spacing }
        Label {
            objectName: "clock"
            anchors.right: parent.right
            role: "primary"
            text: strip.status.clock
        }
        Label {
            objectName: "outside"
            anchors.right: parent.right
            text: strip.status.fleet === "" ? strip.status.outside
                  : strip.status.outside + " · " + strip.status.fleet
            color: strip.status.fleetOnline || strip.status.fleet === "" ? Theme.muted : Theme.warning
        }
    }
    Row {
        id: quick
        anchors { right: parent.right; verticalCenter: parent.verticalCenter; rightMargin: Theme.spacing }
        spacing: Theme.spacingSmall
        RoundButton {
            objectName: "fleetMessageRead"
            visible: strip.status.fleetMessage !== ""
            icon: "flag"
            label: qsTr("OK")
            size: Theme.touch
            onClicked: strip.status.acknowledgeFleetMessage()
        }
        RoundButton {
            objectName: "quickDayNight"
            icon: Theme.night ? "sun" : "moon"
            size: Theme.touch
            onClicked: strip.settings.setDayNight(Theme.night ? "day" : "night")
        }
        RoundButton {
            objectName: "quickSettings"
            icon: "settings"
            size: Theme.touch
            onClicked: strip.navigator.go("settings")
        }
    }
}
