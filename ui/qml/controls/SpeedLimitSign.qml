import QtQuick

// The speed limit posted where the vehicle is, drawn as the road sign (a red ring on white,
// by day and by night, as beside the road). Empty `value`: the map states no limit, no sign.
Rectangle {
    id: sign
    property string value
    property real size: Theme.button
    visible: value !== ""
    width: size
    height: size
    radius: size / 2
    color: Theme.signFill
    border.color: Theme.signRing
    border.width: size * 0.11
    Label {
        objectName: "speedLimitValue"
        anchors.centerIn: parent
        role: "primary"
        text: sign.value
        color: Theme.signInk
    }
}
