import QtQuick

// The media screen: now playing (cover, title, progress, big controls) on the left, browse by
// artist / album / playlist on the right. Text search is hidden while the vehicle moves.
Item {
    id: page
    readonly property real s: theme.scale

    Rectangle { anchors.fill: parent; color: theme.background }

    component Button: Rectangle {
        id: button
        property string glyph: ""
        property bool lit: false
        property real size: 88 * page.s
        signal tapped()
        width: size; height: size; radius: size / 2
        color: lit ? theme.accent : theme.surface
        border.color: theme.border
        border.width: 2 * page.s
        Text {
            anchors.centerIn: parent
            text: button.glyph
            color: button.lit ? theme.background : theme.text
            font.pixelSize: button.size * 0.42
            font.bold: true
        }
        MouseArea { anchors.fill: parent; onClicked: button.tapped() }
    }

    // ---- now playing ------------------------------------------------------------------------
    Item {
        id: nowPlaying
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 24 * page.s }
        width: parent.width * 0.52

        Rectangle {
            id: coverBox
            anchors { left: parent.left; top: parent.top }
            width: Math.min(parent.width * 0.42, parent.height * 0.45); height: width
            radius: 12 * page.s
            color: theme.surface
            border.color: theme.border
            Image {
                objectName: "coverImage"
                readonly property bool ready: status === Image.Ready
                anchors.fill: parent; anchors.margins: 4 * page.s
                source: media.cover
                fillMode: Image.PreserveAspectCrop
                visible: media.cover !== ""
            }
            Text {
                anchors.centerIn: parent
                visible: media.cover === ""
                text: "♫"; color: theme.muted; font.pixelSize: parent.height * 0.5
            }
        }
        Column {
            anchors { left: coverBox.right; right: parent.right; top: coverBox.top
                      leftMargin: 20 * page.s }
            spacing: 8 * page.s
            Text {
                objectName: "titleText"
                width: parent.width
                text: media.title
                color: theme.text; font.pixelSize: 34 * page.s; font.bold: true
                wrapMode: Text.WordWrap; maximumLineCount: 2; elide: Text.ElideRight
            }
            Text {
                width: parent.width
                text: media.artist
                color: theme.text; font.pixelSize: 26 * page.s; elide: Text.ElideRight
            }
            Text {
                width: parent.width
                text: media.album
                color: theme.muted; font.pixelSize: 22 * page.s; elide: Text.ElideRight
            }
            Text {
                text: media.status === "playing" ? qsTr("Playing") : media.status === "paused"
                      ? qsTr("Paused") : media.scanning ? qsTr("Scanning music…") : qsTr("Stopped")
                color: media.playing ? theme.ok : theme.muted
                font.pixelSize: 20 * page.s
            }
        }

        // progress: tap or drag to seek
        Item {
            id: progressArea
            anchors { left: parent.left; right: parent.right; top: coverBox.bottom
                      topMargin: 22 * page.s }
            height: 44 * page.s
            Rectangle {
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter }
                height: 10 * page.s; radius: height / 2; color: theme.surface
                border.color: theme.border
                Rectangle {
                    objectName: "progressFill"
                    width: parent.width * Math.max(0, Math.min(1, media.progress))
                    height: parent.height; radius: parent.radius; color: theme.accent
                }
            }
            MouseArea {
                anchors.fill: parent
                onClicked: (mouse) => media.seekFraction(mouse.x / width)
            }
        }
        Row {
            id: times
            anchors { left: parent.left; right: parent.right; top: progressArea.bottom }
            Text {
                width: parent.width / 2
                text: media.positionText; color: theme.muted; font.pixelSize: 20 * page.s
            }
            Text {
                width: parent.width / 2; horizontalAlignment: Text.AlignRight
                text: media.durationText; color: theme.muted; font.pixelSize: 20 * page.s
            }
        }
        Row {
            id: controls
            anchors { horizontalCenter: parent.horizontalCenter; top: times.bottom
                      topMargin: 14 * page.s }
            spacing: 28 * page.s
            Button { glyph: "◀◀"; onTapped: media.previous() }
            Button {
                objectName: "playButton"
                glyph: media.playing ? "❚❚" : "▶"; lit: true; size: 108 * page.s
                anchors.verticalCenter: parent.verticalCenter
                onTapped: media.toggle()
            }
            Button { glyph: "▶▶"; onTapped: media.next() }
        }
        Row {
            anchors { horizontalCenter: parent.horizontalCenter; top: controls.bottom
                      topMargin: 14 * page.s }
            spacing: 20 * page.s
            Button { glyph: "⤮"; size: 68 * page.s; lit: media.shuffle
                     onTapped: media.toggleShuffle() }
            Button { glyph: media.repeat === "one" ? "↻1" : "↻"; size: 68 * page.s
                     lit: media.repeat !== "off"; onTapped: media.cycleRepeat() }
            Button { glyph: "−"; size: 68 * page.s; onTapped: media.changeVolume(-10) }
            Text {
                anchors.verticalCenter: parent.verticalCenter
                text: qsTr("Vol %1").arg(media.volume); color: theme.text; font.pixelSize: 24 * page.s
            }
            Button { glyph: "+"; size: 68 * page.s; onTapped: media.changeVolume(10) }
        }
    }

    // ---- browse -----------------------------------------------------------------------------
    Item {
        anchors { left: nowPlaying.right; right: parent.right; top: parent.top
                  bottom: parent.bottom; margins: 24 * page.s }

        Row {
            id: tabs
            width: parent.width
            spacing: 8 * page.s
            Repeater {
                model: [["artist", qsTr("Artists")], ["album", qsTr("Albums")], ["playlist", qsTr("Playlists")]]
                Rectangle {
                    required property var modelData
                    width: (tabs.width - 16 * page.s) / 3; height: 56 * page.s
                    radius: 10 * page.s
                    color: media.browse === modelData[0] ? theme.accent : theme.surface
                    border.color: theme.border
                    Text {
                        anchors.centerIn: parent
                        text: modelData[1]
                        color: media.browse === modelData[0] ? theme.background : theme.text
                        font.pixelSize: 22 * page.s; font.bold: true
                    }
                    MouseArea { anchors.fill: parent; onClicked: media.setBrowse(modelData[0]) }
                }
            }
        }
        Rectangle {
            id: searchBox
            anchors { left: parent.left; right: parent.right; top: tabs.bottom
                      topMargin: 12 * page.s }
            height: 52 * page.s; radius: 10 * page.s
            color: theme.surface; border.color: theme.border
            TextInput {
                objectName: "searchInput"
                visible: media.searchAllowed
                anchors { fill: parent; margins: 12 * page.s }
                color: theme.text; font.pixelSize: 22 * page.s
                verticalAlignment: TextInput.AlignVCenter
                onTextChanged: media.search(text)
                Text {
                    visible: parent.text === ""
                    anchors.verticalCenter: parent.verticalCenter
                    text: qsTr("Search title or artist"); color: theme.muted
                    font.pixelSize: 22 * page.s
                }
            }
            Text {
                objectName: "lockoutText"
                visible: !media.searchAllowed
                anchors { fill: parent; margins: 12 * page.s }
                verticalAlignment: Text.AlignVCenter
                text: media.lockoutText
                color: theme.warning; font.pixelSize: 20 * page.s; elide: Text.ElideRight
            }
        }
        ListView {
            id: list
            objectName: "browseList"
            anchors { left: parent.left; right: parent.right; top: searchBox.bottom
                      bottom: skipped.top; topMargin: 12 * page.s }
            clip: true
            spacing: 6 * page.s
            model: media.items
            delegate: Rectangle {
                required property var modelData
                width: list.width; height: 64 * page.s; radius: 10 * page.s
                color: theme.surface
                Text {
                    anchors { left: parent.left; right: detail.left; verticalCenter: parent.verticalCenter
                              leftMargin: 16 * page.s }
                    text: modelData.label; color: theme.text; font.pixelSize: 24 * page.s
                    elide: Text.ElideRight
                }
                Text {
                    id: detail
                    anchors { right: parent.right; verticalCenter: parent.verticalCenter
                              rightMargin: 16 * page.s }
                    text: modelData.detail; color: theme.muted; font.pixelSize: 18 * page.s
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: media.choose(modelData.action, modelData.value)
                }
            }
            Text {
                anchors.centerIn: parent
                visible: list.count === 0
                text: media.scanning ? qsTr("Scanning music…") : qsTr("Nothing here")
                color: theme.muted; font.pixelSize: 22 * page.s
            }
        }
        Text {
            id: skipped
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
            height: media.skippedText !== "" ? implicitHeight + 6 * page.s : 0
            text: media.skippedText
            color: theme.warning; font.pixelSize: 16 * page.s; elide: Text.ElideRight
        }
    }
}
