import QtQuick

// A text in the type scale: role "display", "headline", "primary" or "secondary".
Text {
    property string role: "secondary"
    readonly property bool primary: role !== "secondary"
    // the alignments as numbers, for the HMI rule tests (Python cannot read these enums)
    readonly property int hAlign: horizontalAlignment
    readonly property int vAlign: verticalAlignment
    color: Theme.text
    font.pixelSize: role === "display" ? Theme.fontDisplay : role === "headline" ? Theme.fontHeadline
                  : role === "primary" ? Theme.fontPrimary : Theme.fontSecondary
    font.bold: primary
    verticalAlignment: Text.AlignVCenter
}
