import QtQuick

// A card: the one panel style of the head unit and the cluster.
Rectangle {
    property bool edged: false
    color: Theme.surface
    radius: Theme.radius
    border.color: edged ? Theme.edge : Theme.border
    border.width: Math.max(1, 2 * Theme.dp)
}
