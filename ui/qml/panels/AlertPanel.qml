import QtQuick
import controls

// The most urgent vehicle warning, filled in its level's colour.
Rectangle {
    id: alert
    property string text
    property string level: "info"
    readonly property color ink: level === "critical" ? Theme.inkOnCritical
                               : level === "warning" ? "#101418" : Theme.inkOnAccent
    visible: text !== ""
    implicitHeight: Math.max(Theme.touch, label.implicitHeight + 2 * Theme.spacingSmall)
    radius: Theme.radius
    color: level === "critical" ? Theme.critical : level === "warning" ? Theme.warningFill : Theme.accent
    Row {
        anchors { fill: parent; leftMargin: Theme.spacing; rightMargin: Theme.spacing }
        spacing: Theme.spacingSmall
        Icon {
            id: icon
            anchors.verticalCenter: parent.verticalCenter
            name: "alert-triangle"
            color: alert.ink
        }
        Label {
            id: label
            objectName: "alertText"
            width: parent.width - icon.width - parent.spacing
            anchors.verticalCenter: parent.verticalCenter
            text: alert.text
            color: alert.ink
            font.bold: alert.level === "critical"
            wrapMode: Text.WordWrap
        }
    }
}
