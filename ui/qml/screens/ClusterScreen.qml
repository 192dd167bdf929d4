import QtQuick
import controls
import panels

// The instrument cluster behind the wheel: the speed dial in the middle, power/regen and the
// gear on its left, charge and range on its right, the next maneuver, the top alert and the
// driving mode along the top and bottom.
Item {
    id: cluster
    required property var vehicle
    required property var mapView
    readonly property bool narrow: width < 1200 * Theme.dp
    readonly property real dialSize: Math.min(height - 2 * Theme.touch - 2 * Theme.spacing,
                                              width * (narrow ? 0.32 : 0.4))

    TellTalesPanel {
        objectName: "clusterTellTales"
        anchors { left: parent.left; top: parent.top; margins: Theme.spacing }
        codes: cluster.vehicle.tellTales
    }
    AlertPanel {
        objectName: "clusterAlert"
        anchors { horizontalCenter: parent.horizontalCenter; top: parent.top; margins: Theme.spacingSmall }
        width: parent.width * 0.5
        text: cluster.vehicle.topAlert
        level: cluster.vehicle.topAlertLevel
    }

    Column {
        anchors { left: parent.left; right: dial.left; verticalCenter: dial.verticalCenter
                  margins: Theme.spacingLarge }
        spacing: Theme.spacing
        PowerPanel {
            width: parent.width
            powerText: cluster.vehicle.powerText
            fraction: cluster.vehicle.powerFraction
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.spacingLarge
            Label {
                objectName: "clusterGear"
                anchors.verticalCenter: parent.verticalCenter
                role: "headline"
                text: cluster.vehicle.gear
                color: Theme.accent
            }
            SpeedLimitSign {
                objectName: "clusterSpeedLimit"
                anchors.verticalCenter: parent.verticalCenter
                value: cluster.mapView.speedLimit
            }
        }
    }

    SpeedDial {
        id: dial
        anchors { horizontalCenter: parent.horizontalCenter; verticalCenter: parent.verticalCenter }
        width: cluster.dialSize
        height: width
        speedText: cluster.vehicle.speedText
        unit: cluster.vehicle.speedUnit
        fraction: cluster.vehicle.speedFraction
        maxText: cluster.vehicle.maxSpeedText
        fill: cluster.vehicle.speedValid ? Theme.accent : Theme.critical
    }

    Column {
        anchors { left: dial.right; right: parent.right; verticalCenter: dial.verticalCenter
                  margins: Theme.spacingLarge }
        spacing: Theme.spacing
        BatteryPanel {
            width: parent.width
            socText: cluster.vehicle.socText
            socLevel: cluster.vehicle.socLevel
            fraction: cluster.vehicle.socFraction
            rangeText: cluster.vehicle.rangeText
            charging: cluster.vehicle.charging
            compact: cluster.narrow
        }
        NextManeuverPanel {
            objectName: "clusterManeuver"
            visible: cluster.mapView.nextIcon !== ""
            width: parent.width
            icon: cluster.mapView.nextIcon
            distance: cluster.mapView.nextDistance
            street: cluster.mapView.nextStreet
            compact: cluster.narrow
        }
    }

    Row {
        anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom; margins: Theme.spacing }
        spacing: Theme.spacingSmall
        Icon { name: "steering-wheel"; color: Theme.muted; anchors.verticalCenter: parent.verticalCenter }
        Label {
            objectName: "drivingMode"
            text: cluster.vehicle.drivingModeText
            color: Theme.muted
        }
    }
}
