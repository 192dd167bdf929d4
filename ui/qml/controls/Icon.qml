import QtQuick

// A Tabler icon (assets/icons/NAME.svg) drawn in `color`: the image provider tints the SVG, so
// icons follow day and night on every scene graph backend.
Image {
    property string name
    property color color: Theme.text
    property real size: Theme.iconSize
    width: size
    height: size
    sourceSize: Qt.size(Math.ceil(size), Math.ceil(size))
    source: name === "" ? "" : "image://icon/" + name + "/" + String(color).slice(1)
    fillMode: Image.PreserveAspectFit
    smooth: true
}
