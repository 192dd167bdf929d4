pragma ComponentBehavior: Bound
import QtQuick

// One setting as a row of segmented options; `key` names the options for tests and tools
// whatever the language (objectName option_<key>_<value>).
Row {
    id: choice
    property string key
    property string label
    property var options: []
    property var labels: []
    property string current
    property real labelWidth: 200 * Theme.dp
    signal picked(string value)
    spacing: Theme.spacingSmall
    Label {
        width: choice.labelWidth
        height: Theme.touch
        text: choice.label
        role: "secondary"
        font.bold: true
        wrapMode: Text.WordWrap
    }
    Repeater {
        model: choice.options
        delegate: RoundButton {
            required property string modelData
            required property int index
            objectName: "option_" + choice.key + "_" + modelData
            label: choice.labels[index] || modelData
            size: Theme.touch
            lit: choice.current === modelData
            onClicked: choice.picked(modelData)
        }
    }
}
