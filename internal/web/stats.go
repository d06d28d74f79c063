package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/transfer"
)

// The charts are SVG drawn on the server: bars and a few labels, no script.

// chart is one SVG bar chart.
type chart struct {
	W, H   int
	Bars   []bar
	Labels []text
	Grid   []text // a horizontal line at Y with its label
	Legend []legend
	Empty  bool
}

type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type text struct {
	X, Y int
	Text string
}

type legend struct {
	Class string
	Label string
}

// statusGroups colour transfers by where they stand.
var statusGroups = []struct {
	Class, Label string
	Statuses     []transfer.Status
}{
	{"g-done", "completed or kept", []transfer.Status{transfer.StatusCompleted, transfer.StatusSaved}},
	{"g-flight", "with the counterparty", []transfer.Status{transfer.StatusSent, transfer.StatusACK, transfer.StatusNotReady, transfer.StatusAccepted}},
	{"g-wait", "waiting on us", []transfer.Status{transfer.StatusNew, transfer.StatusMissingBeneficiaryData, transfer.StatusIncomplete, transfer.StatusWaitingForInformation}},
	{"g-stop", "rejected, declined or cancelled", []transfer.Status{transfer.StatusRejected, transfer.StatusDeclined, transfer.StatusCancelled}},
}

// statsView is the charts page.
type statsView struct {
	Days       int
	Transfers  chart
	Automation chart
	ByStatus   []statusCount
	Total      int
	Automated  int
	Decided    int
}

const statsDays = 30

const (
	chartW, chartH     = 760, 220
	chartLeft, chartBy = 44, 24 // left margin for the axis, bottom margin for day labels
)

func (h *Handler) stats(c *call) error {
	now := h.now()
	today := now.Truncate(24 * time.Hour)
	since := today.AddDate(0, 0, -(statsDays - 1))
	counts, err := h.st.Read().TransfersByDay(c.ctx(), c.vaspID(), since)
	if err != nil {
		return err
	}
	v := &statsView{Days: statsDays}
	// Transfers per day, stacked by status group.
	perDay := make([]map[string]int, statsDays)
	byStatus := map[transfer.Status]int{}
	for i := range perDay {
		perDay[i] = map[string]int{}
	}
	group := map[transfer.Status]string{}
	for _, g := range statusGroups {
		for _, s := range g.Statuses {
			group[s] = g.Class
		}
	}
	top := 0
	for _, dc := range counts {
		i := int(dc.Day.Sub(since) / (24 * time.Hour))
		if i < 0 || i >= statsDays {
			continue
		}
		perDay[i][group[dc.Status]] += dc.Count
		byStatus[dc.Status] += dc.Count
		v.Total += dc.Count
	}
	for _, m := range perDay {
		sum := 0
		for _, n := range m {
			sum += n
		}
		top = max(top, sum)
	}
	for _, s := range transfer.Statuses {
		if n := byStatus[s]; n > 0 {
			v.ByStatus = append(v.ByStatus, statusCount{Status: s, Count: n})
		}
	}
	v.Transfers = newChart(top, since)
	for _, g := range statusGroups {
		v.Transfers.Legend = append(v.Transfers.Legend, legend{Class: g.Class, Label: g.Label})
	}
	for i, m := range perDay {
		y := chartH - chartBy
		for _, g := range statusGroups {
			n := m[g.Class]
			if n == 0 {
				continue
			}
			hgt := scale(n, top)
			y -= hgt
			v.Transfers.Bars = append(v.Transfers.Bars, dayBar(i, y, hgt, g.Class,
				fmt.Sprintf("%s: %d %s", since.AddDate(0, 0, i).Format("2 Jan"), n, g.Label)))
		}
	}
	v.Transfers.Empty = v.Total == 0

	// Automation rate per day: decisions made without a person, of all decisions.
	decisions, err := h.st.Read().DecisionsByDay(c.ctx(), c.vaspID(), since)
	if err != nil {
		return err
	}
	v.Automation = newPercentChart(since)
	v.Automation.Legend = []legend{{Class: "g-done", Label: "decided without a person"}}
	for _, dd := range decisions {
		i := int(dd.Day.Sub(since) / (24 * time.Hour))
		all := dd.Automated + dd.Manual
		if i < 0 || i >= statsDays || all == 0 {
			continue
		}
		v.Automated += dd.Automated
		v.Decided += all
		hgt := scale(dd.Automated*1000/all, 1000)
		v.Automation.Bars = append(v.Automation.Bars, dayBar(i, chartH-chartBy-hgt, hgt, "g-done",
			fmt.Sprintf("%s: %d of %d decisions without a person", dd.Day.Format("2 Jan"), dd.Automated, all)))
	}
	v.Automation.Empty = v.Decided == 0
	c.render(http.StatusOK, "stats", "Activity", "stats", v)
	return nil
}

func scale(n, top int) int {
	if top == 0 {
		return 0
	}
	return max(1, n*(chartH-chartBy-10)/top)
}

func slot() int { return (chartW - chartLeft) / statsDays }

func dayBar(i, y, h int, class, title string) bar {
	return bar{X: chartLeft + i*slot() + 2, Y: y, W: slot() - 4, H: h, Class: class, Title: title}
}

// newChart draws the frame: day labels every week and a grid of counts up to top.
func newChart(top int, since time.Time) chart {
	ch := chart{W: chartW, H: chartH}
	for i := 0; i < statsDays; i += 7 {
		ch.Labels = append(ch.Labels, text{X: chartLeft + i*slot(), Y: chartH - 6, Text: since.AddDate(0, 0, i).Format("2 Jan")})
	}
	if top > 0 {
		for _, f := range []int{0, 1, 2} {
			n := top * f / 2
			ch.Grid = append(ch.Grid, text{X: chartLeft, Y: chartH - chartBy - scaleOrZero(n, top), Text: fmt.Sprint(n)})
		}
	}
	return ch
}

func newPercentChart(since time.Time) chart {
	ch := newChart(0, since)
	for _, p := range []int{0, 50, 100} {
		ch.Grid = append(ch.Grid, text{X: chartLeft, Y: chartH - chartBy - scaleOrZero(p, 100), Text: fmt.Sprintf("%d%%", p)})
	}
	return ch
}

func scaleOrZero(n, top int) int {
	if n == 0 {
		return 0
	}
	return scale(n, top)
}

func requiredFieldNames() []string { return ivms.RequiredFieldNames() }
