pragma ComponentBehavior: Bound
import QtQuick
import controls

// The lamps a driver must not miss, as icons in their level's colour.
Row {
    id: lamps
    property var codes: []  // [{code, level}]
    readonly property var icons: ({ charging: "bolt", battery: "battery-2", pack_cold: "snowflake",
                                    pack_hot: "flame", fault: "alert-triangle", cruise: "gauge",
                                    stop_request: "bus-stop" })
    spacing: Theme.spacingSmall
    Repeater {
        model: lamps.codes
        delegate: Icon {
            required property var modelData
            objectName: "lamp_" + modelData.code
            name: lamps.icons[modelData.code] || "alert-triangle"
            color: Theme.levelColour(modelData.level)
        }
    }
}
