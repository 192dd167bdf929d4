pragma ComponentBehavior: Bound
import QtQuick
import controls

// The media library: now playing (cover, title, progress, controls) on the left, browse by
// artist / album / playlist on the right. Text search is hidden while the vehicle moves.
Item {
    id: page
    required property var media

    // ---- now playing ------------------------------------------------------------------------
    Column {
        id: nowPlaying
        anchors { left: parent.left; top: parent.top; margins: Theme.spacing }
        width: (parent.width - 3 * Theme.spacing) * 0.5
        spacing: Theme.spacing
        Row {
            width: parent.width
            spacing: Theme.spacing
            Panel {
                id: coverBox
                width: 96 * Theme.dp
                height: width
                Image {
                    objectName: "coverImage"
                    readonly property bool ready: status === Image.Ready
                    anchors { fill: parent; margins: 4 * Theme.dp }
                    source: page.media.cover
                    fillMode: Image.PreserveAspectCrop
                    visible: page.media.cover !== ""
                }
                Icon {
                    anchors.centerIn: parent
                    visible: page.media.cover === ""
                    name: "music"
                    color: Theme.muted
                    size: parent.height * 0.5
                }
            }
            Column {
                width: parent.width - coverBox.width - parent.spacing
                Label {
                    objectName: "titleText"
                    width: parent.width
                    role: "primary"
                    text: page.media.title
                    wrapMode: Text.WordWrap
                    maximumLineCount: 2
                }
                Label {
                    width: parent.width
                    text: page.media.artist
                    visible: text !== ""
                    wrapMode: Text.WordWrap
                }
                Label {
                    text: page.media.status === "playing" ? qsTr("Playing")
                        : page.media.status === "paused" ? qsTr("Paused")
                        : page.media.scanning ? qsTr("Scanning music…") : qsTr("Stopped")
                    color: page.media.playing ? Theme.ok : Theme.muted
                }
            }
        }
        // progress: tap to seek
        Item {
            width: parent.width
            height: Theme.touch
            Label {
                id: times
                anchors { left: parent.left; verticalCenter: parent.verticalCenter }
                text: page.media.positionText
                color: Theme.muted
            }
            Bar {
                id: progressBar
                objectName: "progress"
                anchors { left: times.right; right: total.left; verticalCenter: parent.verticalCenter
                          leftMargin: Theme.spacing; rightMargin: Theme.spacing }
                value: page.media.progress
                track: Theme.edge
            }
            MouseArea {  // the whole row's height is the touch target; the bar's span is the track
                objectName: "seek"
                x: progressBar.x
                width: progressBar.width
                height: parent.height
                onClicked: (mouse) => page.media.seekFraction(mouse.x / width)
            }
            Label {
                id: total
                anchors { right: parent.right; verticalCenter: parent.verticalCenter }
                text: page.media.durationText
                color: Theme.muted
            }
        }
        Row {
            spacing: Theme.spacing
            RoundButton { icon: "player-skip-back"; size: Theme.touch; onClicked: page.media.previous() }
            RoundButton {
                objectName: "playButton"
                icon: page.media.playing ? "player-pause" : "player-play"
                lit: true
                size: Theme.touch
                onClicked: page.media.toggle()
            }
            RoundButton { icon: "player-skip-forward"; size: Theme.touch; onClicked: page.media.next() }
        }
        Row {
            spacing: Theme.spacingSmall
            RoundButton {
                icon: "arrows-shuffle"; size: Theme.touch; lit: page.media.shuffle
                onClicked: page.media.toggleShuffle()
            }
            RoundButton {
                icon: page.media.repeat === "one" ? "repeat-once" : "repeat"; size: Theme.touch
                lit: page.media.repeat !== "off"; onClicked: page.media.cycleRepeat()
            }
            RoundButton { icon: "volume-2"; size: Theme.touch; onClicked: page.media.changeVolume(-10) }
            Label {
                anchors.verticalCenter: parent.verticalCenter
                text: qsTr("Vol %1").arg(page.media.volume)
            }
            RoundButton { icon: "volume"; size: Theme.touch; onClicked: page.media.changeVolume(10) }
        }
    }

    // ---- browse -----------------------------------------------------------------------------
    Item {
        anchors { left: nowPlaying.right; right: parent.right; top: parent.top
                  bottom: parent.bottom; margins: Theme.spacing }

        Row {
            id: tabs
            width: parent.width
            spacing: Theme.spacingSmall
            Repeater {
                model: [["artist", qsTr("Artists")], ["album", qsTr("Albums")], ["playlist", qsTr("Playlists")]]
                RoundButton {
                    required property var modelData
                    width: (tabs.width - 2 * tabs.spacing) / 3
                    size: Theme.touch
                    label: modelData[1]
                    lit: page.media.browse === modelData[0]
                    onClicked: page.media.setBrowse(modelData[0])
                }
            }
        }
        Rectangle {
            id: searchBox
            anchors { left: parent.left; right: parent.right; top: tabs.bottom; topMargin: Theme.spacingSmall }
            height: page.media.searchAllowed ? Theme.touch : lockout.implicitHeight + 2 * Theme.spacingSmall
            radius: Theme.radiusSmall
            color: Theme.raised
            border.color: Theme.edge
            border.width: Math.max(1, 2 * Theme.dp)
            TextInput {
                id: search
                objectName: "searchInput"
                visible: page.media.searchAllowed
                anchors { fill: parent; leftMargin: Theme.spacing; rightMargin: Theme.spacing }
                color: Theme.text
                font.pixelSize: Theme.fontSecondary
                verticalAlignment: TextInput.AlignVCenter
                clip: true
                onTextChanged: page.media.search(text)
            }
            Label {
                visible: page.media.searchAllowed && search.text === ""
                anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: Theme.spacing }
                text: qsTr("Search title or artist")
                color: Theme.muted
            }
            Label {
                id: lockout
                objectName: "lockoutText"
                visible: !page.media.searchAllowed
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                          margins: Theme.spacing }
                text: page.media.lockoutText
                color: Theme.warning
                wrapMode: Text.WordWrap
            }
        }
        ListView {
            id: list
            objectName: "browseList"
            anchors { left: parent.left; right: parent.right; top: searchBox.bottom
                      bottom: skipped.top; topMargin: Theme.spacingSmall }
            clip: true
            spacing: Theme.spacingSmall
            model: page.media.items
            delegate: Rectangle {
                id: row
                required property var modelData
                width: list.width
                height: Theme.touch
                radius: Theme.radiusSmall
                color: Theme.surface
                border.color: Theme.edge
                border.width: Math.max(1, 2 * Theme.dp)
                Label {
                    anchors { left: parent.left; right: detail.left; verticalCenter: parent.verticalCenter
                              leftMargin: Theme.spacing; rightMargin: Theme.spacing }
                    text: row.modelData.label
                    elide: Text.ElideRight
                }
                Label {
                    id: detail
                    anchors { right: parent.right; verticalCenter: parent.verticalCenter
                              rightMargin: Theme.spacing }
                    text: row.modelData.detail
                    color: Theme.muted
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: page.media.choose(row.modelData.action, row.modelData.value)
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: page.media.scanning ? qsTr("Scanning music…") : qsTr("Nothing here")
                color: Theme.muted
            }
        }
        Label {
            id: skipped
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
            height: text !== "" ? implicitHeight : 0
            visible: text !== ""
            text: page.media.skippedText
            color: Theme.warning
            wrapMode: Text.WordWrap
        }
    }
}
