import QtQuick
import QtQuick.Window
import controls
import "screens"

// The instrument cluster window: a second screen behind the wheel, always at night colours
// when the head unit is.
Window {
    id: root
    required property var theme
    required property var vehicle
    required property var mapView
    width: 1280
    height: 480
    visible: true
    title: qsTr("Volant cluster")
    color: Theme.background
    onWidthChanged: root.theme.fitTo(width, height)
    onHeightChanged: root.theme.fitTo(width, height)

    Binding { target: Theme; property: "night"; value: root.theme.night }
    Binding { target: Theme; property: "dp"; value: root.theme.dp }

    ClusterScreen {
        objectName: "cluster"
        anchors.fill: parent
        vehicle: root.vehicle
        mapView: root.mapView
    }
}
