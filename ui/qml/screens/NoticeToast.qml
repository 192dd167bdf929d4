import QtQuick
import controls

// Notices and loading progress from the services, over the top of the screen while they last.
Rectangle {
    id: toast
    required property var status
    readonly property string shown: status.notice !== "" ? status.notice : status.progress
    visible: shown !== ""
    width: Math.min(parent ? parent.width * 0.6 : 600, label.implicitWidth + 2 * Theme.spacingLarge)
    height: label.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: status.noticeLevel === "error" ? Theme.critical
         : status.noticeLevel === "warning" ? Theme.warningFill : Theme.text
    Label {
        id: label
        objectName: "notice"
        anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                  leftMargin: Theme.spacingLarge; rightMargin: Theme.spacingLarge }
        horizontalAlignment: Text.AlignHCenter
        text: toast.shown
        wrapMode: Text.WordWrap
        color: toast.status.noticeLevel === "error" ? Theme.inkOnCritical
             : toast.status.noticeLevel === "warning" ? "#101418" : Theme.surface
    }
}
