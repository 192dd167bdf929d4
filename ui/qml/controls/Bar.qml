import QtQuick

// A horizontal gauge: `value` 0..1 from the left, or -1..1 from the middle when `centred`
// (power right, regeneration left).
Rectangle {
    id: bar
    property real value: 0
    property bool centred: false
    property color fill: Theme.accent
    property color negativeFill: Theme.ok
    property color track: Theme.border
    readonly property real clamped: Math.max(centred ? -1 : 0, Math.min(1, value))
    implicitHeight: Theme.barHeight
    radius: height / 2
    color: track
    Rectangle {
        objectName: bar.objectName === "" ? "" : bar.objectName + "Fill"
        x: !bar.centred ? 0 : bar.clamped >= 0 ? parent.width / 2 : parent.width / 2 * (1 + bar.clamped)
        width: bar.centred ? Math.abs(bar.clamped) * parent.width / 2 : bar.clamped * parent.width
        height: parent.height
        radius: parent.radius
        color: bar.clamped < 0 ? bar.negativeFill : bar.fill
    }
    Rectangle {  // the zero mark of a centred bar
        visible: bar.centred
        x: parent.width / 2 - width / 2
        width: Math.max(2, 3 * Theme.dp)
        height: parent.height
        color: Theme.text
    }
}
