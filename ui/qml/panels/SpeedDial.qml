import QtQuick
import controls

// The cluster's speed dial: an arc filled to the speed, the number in the middle.
Item {
    id: dial
    property string speedText: "--"
    property string unit: "km/h"
    property real fraction: 0
    property string maxText
    property color fill: Theme.accent
    implicitWidth: 360 * Theme.dp
    implicitHeight: implicitWidth
    Canvas {
        id: arc
        anchors.fill: parent
        property real fraction: dial.fraction
        property color track: Theme.border
        property color fill: dial.fill
        onFractionChanged: requestPaint()
        onTrackChanged: requestPaint()
        onFillChanged: requestPaint()
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const r = Math.min(width, height) / 2 - 14 * Theme.dp
            const start = Math.PI * 0.75, sweep = Math.PI * 1.5
            ctx.lineWidth = 20 * Theme.dp
            ctx.lineCap = "round"
            ctx.strokeStyle = track
            ctx.beginPath(); ctx.arc(width / 2, height / 2, r, start, start + sweep); ctx.stroke()
            if (fraction > 0.001) {
                ctx.strokeStyle = fill
                ctx.beginPath(); ctx.arc(width / 2, height / 2, r, start, start + sweep * fraction); ctx.stroke()
            }
        }
    }
    Column {
        anchors.centerIn: parent
        Label {
            objectName: "clusterSpeed"
            anchors.horizontalCenter: parent.horizontalCenter
            role: "display"
            text: dial.speedText
        }
        Label {
            anchors.horizontalCenter: parent.horizontalCenter
            text: dial.unit
            color: Theme.muted
        }
    }
    Label {
        anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom }
        text: dial.maxText
        color: Theme.muted
    }
}
