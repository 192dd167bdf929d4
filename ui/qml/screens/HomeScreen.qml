pragma ComponentBehavior: Bound
import QtQuick
import Volant
import controls
import panels

// The head unit's base: the vehicle column beside the map and its cards. With `mapOnly` the
// map takes the whole width (the "map" screen).
Item {
    id: home
    required property var vehicle
    required property var mapView
    required property var restrictions
    property bool mapOnly: false
    readonly property real columnWidth: mapOnly ? 0 : Math.max(340 * Theme.dp, width * 0.3)

    // -- the vehicle column ----------------------------------------------------------------
    Column {
        id: column
        objectName: "vehicleColumn"
        visible: !home.mapOnly
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: Theme.spacing }
        width: home.columnWidth - 2 * Theme.spacing
        spacing: Theme.spacingSmall
        SpeedPanel {
            width: parent.width
            speedText: home.vehicle.speedText
            unit: home.vehicle.speedUnit
            valid: home.vehicle.speedValid
            fraction: home.vehicle.speedFraction
            gear: home.vehicle.gear
            tellTales: home.vehicle.tellTales
        }
        PowerPanel {
            width: parent.width
            compact: true
            powerText: home.vehicle.powerText
            fraction: home.vehicle.powerFraction
        }
        BatteryPanel {
            width: parent.width
            socText: home.vehicle.socText
            socLevel: home.vehicle.socLevel
            fraction: home.vehicle.socFraction
            rangeText: home.vehicle.rangeText
            charging: home.vehicle.charging
            compact: true
        }
        AlertPanel {
            objectName: "activeAlert"
            width: parent.width
            text: home.vehicle.topAlert
            level: home.vehicle.topAlertLevel
        }
    }

    // -- the map -----------------------------------------------------------------------------
    Item {
        id: mapArea
        anchors { left: parent.left; right: parent.right; top: parent.top; bottom: parent.bottom
                  leftMargin: home.columnWidth }
        clip: true
        MapCanvas {
            id: canvas
            objectName: "mapCanvas"
            anchors.fill: parent
            model: home.mapView
            backgroundColour: Theme.background
            roadColour: Theme.road
            routeColour: Theme.accent
            pinColour: Theme.critical
            chargerColour: Theme.charger
            stopColour: Theme.transit
            labelColour: Theme.text
            labelPixelSize: Theme.fontSecondary * 0.75
            labelArea: Qt.rect(cards.width + 2 * Theme.spacing, 0, canvas.width - cards.width
                               - mapButtons.width - 4 * Theme.spacing, canvas.height)
            MouseArea {
                anchors.fill: parent
                property point last
                onPressed: (mouse) => last = Qt.point(mouse.x, mouse.y)
                onPositionChanged: (mouse) => {
                    home.mapView.pan(mouse.x - last.x, mouse.y - last.y)
                    last = Qt.point(mouse.x, mouse.y)
                }
            }
        }

        Column {
            id: cards
            anchors { left: parent.left; top: parent.top; margins: Theme.spacing }
            width: Math.min(parent.width - mapButtons.width - 3 * Theme.spacing, 420 * Theme.dp)
            spacing: Theme.spacing
            Panel {
                objectName: "mapLoading"
                visible: !home.mapView.hasMap
                width: parent.width
                height: loading.implicitHeight + 2 * Theme.spacing
                Label {
                    id: loading
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                              margins: Theme.spacing }
                    text: home.mapView.mapStatus
                    color: Theme.muted
                    wrapMode: Text.WordWrap
                }
            }
            Panel {
                id: guess
                objectName: "destinationGuess"
                visible: home.mapView.guessQuery !== ""
                edged: true
                width: parent.width
                height: guessColumn.implicitHeight + 2 * Theme.spacing
                Column {
                    id: guessColumn
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
                    spacing: Theme.spacingSmall
                    Label {
                        width: parent.width
                        text: qsTr("%1 is not on this map. Did you mean:").arg(home.mapView.guessQuery)
                        wrapMode: Text.WordWrap
                    }
                    Repeater {
                        model: home.mapView.guessChoices.concat([qsTr("None of these")])
                        delegate: RoundButton {
                            id: choice
                            required property string modelData
                            required property int index
                            objectName: "guess_" + choice.index
                            width: guessColumn.width
                            label: choice.modelData
                            lit: choice.index === 0
                            onClicked: home.mapView.chooseGuess(
                                choice.index < home.mapView.guessChoices.length ? choice.index : -1)
                        }
                    }
                }
            }
            NextManeuverPanel {
                objectName: "maneuverPanel"
                visible: home.mapView.nextIcon !== ""
                width: parent.width
                icon: home.mapView.nextIcon
                distance: home.mapView.nextDistance
                street: home.mapView.nextStreet
            }
            ArrivalPanel {
                objectName: "arrivalPanel"
                visible: home.mapView.arrival !== ""
                width: parent.width
                arrival: home.mapView.arrival
                remaining: home.mapView.remaining
                destination: home.mapView.destinationName
            }
            Panel {
                id: whereTo
                objectName: "whereTo"
                visible: !home.mapView.hasRoute
                width: parent.width
                height: whereColumn.implicitHeight + 2 * Theme.spacing
                readonly property bool typing: !home.restrictions.noTextEntry
                Column {
                    id: whereColumn
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.spacing }
                    spacing: Theme.spacingSmall
                    Label { role: "primary"; text: qsTr("Where to?") }
                    Row {
                        visible: whereTo.typing
                        width: parent.width
                        spacing: Theme.spacingSmall
                        Rectangle {
                            width: parent.width - go.width - parent.spacing
                            height: Theme.touch
                            radius: Theme.radiusSmall
                            color: Theme.raised
                            border.color: Theme.edge
                            border.width: Math.max(1, 2 * Theme.dp)
                            TextInput {
                                id: query
                                objectName: "destinationInput"
                                anchors { fill: parent; leftMargin: Theme.spacing; rightMargin: Theme.spacing }
                                verticalAlignment: TextInput.AlignVCenter
                                color: Theme.text
                                font.pixelSize: Theme.fontSecondary
                                clip: true
                                onAccepted: home.mapView.navigateTo(text)
                            }
                            Label {
                                visible: query.text === ""
                                anchors { left: parent.left; verticalCenter: parent.verticalCenter; leftMargin: Theme.spacing }
                                text: qsTr("Address or place")
                                color: Theme.muted
                            }
                        }
                        RoundButton {
                            id: go
                            objectName: "destinationGo"
                            icon: "navigation"
                            size: Theme.touch
                            lit: true
                            onClicked: home.mapView.navigateTo(query.text)
                        }
                    }
                    Label {
                        objectName: "whereToVoice"
                        visible: !whereTo.typing
                        width: parent.width
                        text: qsTr("Say “navigate to …”")
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                    }
                }
            }
        }

        Column {
            id: mapButtons
            anchors { right: parent.right; top: parent.top; margins: Theme.spacing }
            spacing: Theme.spacing
            RoundButton { objectName: "map_in"; icon: "plus"; onClicked: home.mapView.zoomIn() }
            RoundButton { objectName: "map_out"; icon: "minus"; onClicked: home.mapView.zoomOut() }
            RoundButton {
                objectName: "map_follow"
                icon: "current-location"
                lit: home.mapView.follow
                onClicked: home.mapView.toggleFollow()
            }
            SpeedLimitSign {
                objectName: "speedLimitSign"
                value: home.mapView.speedLimit
            }
        }

        Rectangle {
            objectName: "mapBanner"
            visible: home.mapView.banner !== ""
            // clear of the map buttons and the speed limit sign on the right
            anchors { left: parent.left; right: mapButtons.left; bottom: parent.bottom; margins: Theme.spacing }
            height: bannerText.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: home.mapView.bannerLevel === "warning" ? Theme.warningFill : Theme.surface
            border.color: Theme.border
            Label {
                id: bannerText
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                          margins: Theme.spacing }
                text: home.mapView.banner
                wrapMode: Text.WordWrap
                color: home.mapView.bannerLevel === "warning" ? "#101418" : Theme.text
            }
        }
    }
}
