package transfer

import (
	"fmt"
	"strings"
)

// Mermaid renders the transition table as a Mermaid state diagram, for docs/.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, tr := range Table() {
		from := string(tr.From)
		if tr.From == StatusNone {
			from = "[*]"
		}
		fmt.Fprintf(&b, "    %s --> %s: %s\n", from, tr.To, tr.Event)
	}
	for _, s := range Statuses {
		if s.Final() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}
