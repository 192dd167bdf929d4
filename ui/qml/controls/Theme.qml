pragma Singleton
import QtQuick

// The design tokens: every size is in dp (Theme.dp pixels each, set from the window size by
// ui/theme.py), every colour has a day and a night value. Screens and panels use only these.
QtObject {
    property bool night: false
    property real dp: 0.909

    // type scale (dp): primary texts >= 32, secondary >= 24 (Android for Cars)
    readonly property real fontDisplay: 96 * dp
    readonly property real fontHeadline: 48 * dp
    readonly property real fontPrimary: 32 * dp
    readonly property real fontSecondary: 24 * dp

    // spacing, radii and touch sizes (dp)
    readonly property real spacingSmall: 8 * dp
    readonly property real spacing: 16 * dp
    readonly property real spacingLarge: 24 * dp
    readonly property real radiusSmall: 8 * dp
    readonly property real radius: 16 * dp
    readonly property real touch: 76 * dp
    readonly property real button: 88 * dp
    readonly property real iconSize: 40 * dp
    readonly property real stripHeight: 104 * dp
    readonly property real barHeight: 16 * dp

    // colours: texts reach 4.5:1 and control edges 3:1 on the surfaces they sit on
    readonly property color background: night ? "#0b0f14" : "#e4e9ef"
    readonly property color surface: night ? "#161c24" : "#ffffff"
    readonly property color raised: night ? "#222a35" : "#f1f4f7"
    readonly property color text: night ? "#e8edf2" : "#101418"
    readonly property color muted: night ? "#a3afbb" : "#46515c"
    readonly property color accent: night ? "#5aa9ff" : "#0a5cad"
    readonly property color inkOnAccent: night ? "#0b0f14" : "#ffffff"
    readonly property color ok: night ? "#4cc764" : "#17692e"
    readonly property color warning: night ? "#f0a020" : "#8a4500"
    readonly property color warningFill: night ? "#f0a020" : "#f5b642"
    readonly property color critical: night ? "#ff6b6b" : "#b3261e"
    readonly property color inkOnCritical: night ? "#0b0f14" : "#ffffff"
    readonly property color edge: night ? "#7d8996" : "#6b7785"
    readonly property color border: night ? "#2a333e" : "#c9d1db"
    readonly property color road: night ? "#4a5563" : "#a7b1bc"
    // map marks: charging stations, bus stops (their icons in the background colour)
    readonly property color charger: night ? "#4cc764" : "#17692e"
    readonly property color transit: night ? "#c792ea" : "#6a3d9a"
    // the speed limit sign keeps the road sign's colours in both modes
    readonly property color signFill: "#ffffff"
    readonly property color signRing: "#d0021b"
    readonly property color signInk: "#101418"

    function levelColour(level: string): color {
        return level === "critical" ? critical : level === "warning" ? warning
             : level === "ok" ? ok : level === "unknown" ? muted : accent
    }
}
