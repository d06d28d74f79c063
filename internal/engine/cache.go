package engine

import (
	"context"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

// refTTL bounds how long reference data read by one transaction is reused by the next: hosted
// VASPs (their settings), the jurisdiction table, FX rates and the asset catalogue. They change
// rarely and only through the engine, which drops the cache at once; another replica's change
// is seen within refTTL. Reading them inside every write transaction was a fifth of SQLite's
// single writer's time.
const refTTL = 2 * time.Second

type refCache struct {
	mu            sync.Mutex
	at            time.Time
	vasps         map[string]*vasp.VASP
	jurisdictions map[string]*policy.Jurisdiction // nil entries: known to be absent
	assets        map[[2]string]*store.Asset
	rates         *policy.Rates
	// counterparties are directory entries as send jobs read them (by VASP and id).
	counterparties map[[2]string]*counterparty.Counterparty
}

// fresh empties the cache when it is older than refTTL; the caller holds mu.
func (c *refCache) fresh() {
	if time.Since(c.at) > refTTL || c.vasps == nil {
		c.at = time.Now()
		c.vasps = map[string]*vasp.VASP{}
		c.jurisdictions = map[string]*policy.Jurisdiction{}
		c.assets = map[[2]string]*store.Asset{}
		c.rates = nil
		c.counterparties = map[[2]string]*counterparty.Counterparty{}
	}
}

// reset drops everything (after a change to reference data).
func (c *refCache) reset() {
	c.mu.Lock()
	c.vasps = nil
	c.mu.Unlock()
}

// cachedVASP returns a copy of a VASP, reading it through the transaction on a miss.
func (o *op) cachedVASP(id string) (*vasp.VASP, error) {
	c := &o.e.ref
	c.mu.Lock()
	c.fresh()
	v := c.vasps[id]
	c.mu.Unlock()
	if v == nil {
		var err error
		if v, err = o.tx.GetVASP(o.ctx, id); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.vasps[id] = v
		c.mu.Unlock()
	}
	cp := *v
	return &cp, nil
}

// asset returns a catalogue entry, or store.ErrNotFound.
func (o *op) asset(network, symbol string) (*store.Asset, error) {
	c := &o.e.ref
	k := [2]string{network, symbol}
	c.mu.Lock()
	c.fresh()
	a, ok := c.assets[k]
	c.mu.Unlock()
	if !ok {
		var err error
		a, err = o.tx.GetAsset(o.ctx, network, symbol)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		c.mu.Lock()
		c.assets[k] = a
		c.mu.Unlock()
	}
	if a == nil {
		return nil, store.ErrNotFound
	}
	cp := *a
	return &cp, nil
}

// jurisdiction returns a row of the jurisdiction table, or nil when there is none.
func (o *op) jurisdiction(code string) (*policy.Jurisdiction, error) {
	if code == "" {
		return nil, nil
	}
	c := &o.e.ref
	c.mu.Lock()
	c.fresh()
	j, ok := c.jurisdictions[code]
	c.mu.Unlock()
	if !ok {
		var err error
		j, err = o.tx.GetJurisdiction(o.ctx, code)
		if isNotFound(err) {
			j, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.jurisdictions[code] = j
		c.mu.Unlock()
	}
	return j, nil
}

// fxRates returns the FX table, indexed.
func (o *op) fxRates() (*policy.Rates, error) {
	c := &o.e.ref
	c.mu.Lock()
	c.fresh()
	r := c.rates
	c.mu.Unlock()
	if r != nil {
		return r, nil
	}
	rows, err := o.tx.ListFXRates(o.ctx)
	if err != nil {
		return nil, err
	}
	r = policy.NewRates(rows)
	c.mu.Lock()
	c.rates = r
	c.mu.Unlock()
	return r, nil
}

// counterparty returns a directory entry for an outbound message, read through q on a miss.
// A route changed on this node drops the cache at once; on another replica within refTTL.
func (c *refCache) counterparty(ctx context.Context, q store.Tx, vaspID, id string) (*counterparty.Counterparty, error) {
	k := [2]string{vaspID, id}
	c.mu.Lock()
	c.fresh()
	cp := c.counterparties[k]
	c.mu.Unlock()
	if cp == nil {
		var err error
		if cp, err = q.GetCounterparty(ctx, vaspID, id); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.counterparties[k] = cp
		c.mu.Unlock()
	}
	cc := *cp
	return &cc, nil
}
