import QtQuick
import Volant

// The offline map: roads as vectors, the route, the vehicle; the next maneuver on the left.
Item {
    id: page
    readonly property real s: theme.scale

    MapCanvas {
        id: canvas
        objectName: "mapCanvas"
        anchors.fill: parent
        model: mapView
        backgroundColour: theme.background
        roadColour: theme.night ? "#4a5563" : "#a7b1bc"
        routeColour: theme.accent
        labelColour: theme.text
        labelPixelSize: Math.max(13, 15 * theme.scale)
        labelArea: Qt.rect(0, 0, width - mapButtons.width - 32 * page.s, height)
        MouseArea {
            anchors.fill: parent
            property point last
            onPressed: (mouse) => last = Qt.point(mouse.x, mouse.y)
            onPositionChanged: (mouse) => {
                mapView.pan(mouse.x - last.x, mouse.y - last.y)
                last = Qt.point(mouse.x, mouse.y)
            }
        }
    }

    Text {
        visible: !mapView.hasMap
        anchors.centerIn: parent
        width: parent.width * 0.8
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        text: mapView.mapStatus
        color: theme.muted
        font.pixelSize: 32 * page.s
    }

    // next maneuver
    Rectangle {
        id: maneuverPanel
        objectName: "maneuverPanel"
        visible: mapView.nextArrow !== ""
        anchors { left: parent.left; top: parent.top; margins: 16 * page.s }
        width: Math.min(parent.width * 0.36, 420 * page.s)
        height: maneuverColumn.implicitHeight + 28 * page.s
        radius: 14 * page.s
        color: theme.surface
        border.color: theme.border
        Row {
            id: maneuverColumn
            anchors { left: parent.left; top: parent.top; margins: 14 * page.s }
            spacing: 14 * page.s
            Text {
                objectName: "maneuverArrow"
                text: mapView.nextArrow
                color: theme.accent
                font.pixelSize: 84 * page.s
                font.bold: true
            }
            Column {
                anchors.verticalCenter: parent.verticalCenter
                width: maneuverPanel.width - 120 * page.s
                Text {
                    objectName: "maneuverDistance"
                    text: mapView.nextDistance
                    color: theme.text
                    font.pixelSize: 44 * page.s
                    font.bold: true
                }
                Text {
                    width: parent.width
                    text: mapView.nextStreet
                    color: theme.text
                    font.pixelSize: 26 * page.s
                    elide: Text.ElideRight
                }
                Text {
                    text: mapView.remaining
                    color: theme.muted
                    font.pixelSize: 22 * page.s
                }
            }
        }
    }

    // warnings and events (EV range, no route, arrival)
    Rectangle {
        objectName: "mapBanner"
        visible: mapView.banner !== ""
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: 16 * page.s }
        height: bannerText.implicitHeight + 20 * page.s
        radius: 10 * page.s
        color: mapView.bannerLevel === "warning" ? theme.warning : theme.surface
        border.color: theme.border
        Text {
            id: bannerText
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 14 * page.s }
            text: mapView.banner
            wrapMode: Text.WordWrap
            maximumLineCount: 3
            elide: Text.ElideRight
            color: mapView.bannerLevel === "warning" ? "#101418" : theme.text
            font.pixelSize: 22 * page.s
        }
    }

    // a destination the map does not have exactly: nothing is routed until the driver picks
    Rectangle {
        objectName: "destinationGuess"
        visible: mapView.guessQuery !== ""
        anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; margins: 16 * page.s }
        width: Math.min(parent.width - 200 * page.s, 720 * page.s)
        height: guessColumn.implicitHeight + 24 * page.s
        radius: 10 * page.s
        color: theme.surface
        border.color: theme.border
        Column {
            id: guessColumn
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 12 * page.s }
            spacing: 8 * page.s
            Text {
                width: parent.width
                text: qsTr("%1 is not on this map. Did you mean:").arg(mapView.guessQuery)
                wrapMode: Text.WordWrap
                color: theme.text
                font.pixelSize: 22 * page.s
            }
            Repeater {
                model: mapView.guessChoices.concat([qsTr("None of these")])
                delegate: Rectangle {
                    required property string modelData
                    required property int index
                    objectName: "guess_" + index
                    width: parent.width
                    height: 56 * page.s
                    radius: 8 * page.s
                    color: index === 0 ? theme.accent : theme.background
                    border.color: theme.border
                    Text {
                        anchors.centerIn: parent
                        text: modelData
                        color: index === 0 ? "white" : theme.text
                        font.pixelSize: 22 * page.s
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: mapView.chooseGuess(index < mapView.guessChoices.length ? index : -1)
                    }
                }
            }
        }
    }

    // zoom and follow
    Column {
        id: mapButtons
        anchors { right: parent.right; top: parent.top; margins: 16 * page.s }
        spacing: 12 * page.s
        Repeater {
            model: [
                { label: "+", action: "in" },
                { label: "−", action: "out" },
                { label: "◎", action: "follow" }
            ]
            delegate: Rectangle {
                required property var modelData
                objectName: "map_" + modelData.action
                width: 76 * page.s
                height: width
                radius: width / 2
                color: modelData.action === "follow" && mapView.follow ? theme.accent : theme.surface
                border.color: theme.border
                Text {
                    anchors.centerIn: parent
                    text: modelData.label
                    color: modelData.action === "follow" && mapView.follow ? "white" : theme.text
                    font.pixelSize: 40 * page.s
                    font.bold: true
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: modelData.action === "in" ? mapView.zoomIn()
                             : modelData.action === "out" ? mapView.zoomOut() : mapView.toggleFollow()
                }
            }
        }
    }
}
