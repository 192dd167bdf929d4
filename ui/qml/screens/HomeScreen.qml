import QtQuick

// Large touch targets leading to each screen; two rows of tiles at any window size.
Item {
    id: home
    readonly property var tiles: [
        { name: "dashboard", label: qsTr("Dashboard"), glyph: "◷" },
        { name: "map", label: qsTr("Map"), glyph: "➤" },
        { name: "media", label: qsTr("Media"), glyph: "♫" },
        { name: "voice", label: qsTr("Voice"), glyph: "◉" },
        { name: "settings", label: qsTr("Settings"), glyph: "⚙" }
    ]
    readonly property real gap: 20 * theme.scale
    readonly property int columns: 3
    readonly property real tileWidth: (width - gap * (columns + 1)) / columns
    readonly property real tileHeight: (height - gap * 3) / 2

    // The sixth place: what a driver wants at a glance before choosing a screen.
    Rectangle {
        objectName: "glance"
        x: home.gap + 2 * (home.tileWidth + home.gap)
        y: home.gap + home.tileHeight + home.gap
        width: home.tileWidth
        height: home.tileHeight
        radius: 16 * theme.scale
        color: "transparent"
        border.color: theme.border
        border.width: 2
        Column {
            anchors.centerIn: parent
            width: parent.width - 32 * theme.scale
            spacing: 6 * theme.scale
            Text {
                text: qsTr("Battery %1").arg(statusInfo.battery)
                color: statusInfo.batteryLow ? theme.critical : theme.text
                font.pixelSize: 34 * theme.scale
                font.bold: true
            }
            Text {
                text: qsTr("Range %1").arg(statusInfo.range)
                color: theme.text
                font.pixelSize: 30 * theme.scale
            }
            Text {
                width: parent.width
                elide: Text.ElideRight
                text: statusInfo.nowPlaying !== "" ? "♫ " + statusInfo.nowPlaying : ""
                color: theme.muted
                font.pixelSize: 24 * theme.scale
            }
        }
    }

    Repeater {
        model: home.tiles
        delegate: Rectangle {
            required property var modelData
            required property int index
            objectName: "tile_" + modelData.name
            x: home.gap + (index % home.columns) * (home.tileWidth + home.gap)
            y: home.gap + Math.floor(index / home.columns) * (home.tileHeight + home.gap)
            width: home.tileWidth
            height: home.tileHeight
            radius: 16 * theme.scale
            color: tap.pressed ? theme.border : theme.surface
            border.color: theme.border
            border.width: 2

            Column {
                anchors.centerIn: parent
                spacing: 8 * theme.scale
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: modelData.glyph
                    color: theme.accent
                    font.pixelSize: 84 * theme.scale
                }
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: modelData.label
                    color: theme.text
                    font.pixelSize: 36 * theme.scale
                    font.bold: true
                }
            }
            MouseArea { id: tap; anchors.fill: parent; onClicked: navigator.go(modelData.name) }
        }
    }
}
