import QtQuick

// A touch target of at least 76 dp: an icon, optionally a label beside it; `lit` fills it with
// the accent colour (a mode that is on).
Rectangle {
    id: button
    property string icon
    property string label
    property bool lit: false
    property real size: Theme.button
    signal clicked()
    signal pressed()
    signal released()
    readonly property color foreground: lit ? Theme.inkOnAccent : Theme.text
    implicitWidth: label === "" ? size : row.implicitWidth + 2 * Theme.spacingLarge
    implicitHeight: size
    width: implicitWidth
    height: implicitHeight
    radius: label === "" ? height / 2 : Theme.radius
    color: tap.pressed ? Theme.border : lit ? Theme.accent : Theme.raised
    border.color: lit ? Theme.accent : Theme.edge
    border.width: Math.max(1, 2 * Theme.dp)
    Row {
        id: row
        anchors.centerIn: parent
        spacing: Theme.spacingSmall
        Icon {
            visible: button.icon !== ""
            name: button.icon
            color: button.foreground
            size: Math.min(Theme.iconSize, button.height * 0.55)
            anchors.verticalCenter: parent.verticalCenter
        }
        Label {
            visible: button.label !== ""
            text: button.label
            color: button.foreground
            role: "secondary"
            font.bold: true
            anchors.verticalCenter: parent.verticalCenter
        }
    }
    MouseArea {
        id: tap
        anchors.fill: parent
        onClicked: button.clicked()
        onPressed: button.pressed()
        onReleased: button.released()
        onCanceled: button.released()
    }
}
