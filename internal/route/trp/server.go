package trp

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// Mount registers the TRP server on mux: the inquiry, resolution and confirmation endpoints and
// the discovery GETs under /trp/, and the discovery GETs at the root too when root is set (the
// TRP listener, where peers look for /version and /identity on the host).
func (s *Service) Mount(mux *http.ServeMux, root bool) {
	mux.HandleFunc("POST "+PathPrefix+"/v/{vasp}", s.handleInquiry)
	mux.HandleFunc("POST "+PathPrefix+"/v/{vasp}/w/{wallet}", s.handleInquiry)
	mux.HandleFunc("POST "+PathPrefix+"/v/{vasp}/transfers/{msg}/resolve", s.handleResolve)
	mux.HandleFunc("POST "+PathPrefix+"/v/{vasp}/transfers/{msg}/confirm", s.handleConfirm)
	mux.HandleFunc("GET "+PathPrefix+"/v/{vasp}/identity", s.handleIdentity)
	prefixes := []string{PathPrefix}
	if root {
		prefixes = append(prefixes, "")
	}
	for _, p := range prefixes {
		mux.HandleFunc("GET "+p+"/version", s.handleVersion)
		mux.HandleFunc("GET "+p+"/uptime", s.handleUptime)
		mux.HandleFunc("GET "+p+"/extensions", s.handleExtensions)
		mux.HandleFunc("GET "+p+"/identity", s.handleIdentity)
	}
}

// info is what the TRP headers of a request say.
type info struct {
	version   string
	requestID string
}

// fail answers a TRP error: a status and a short plain-text reason that never repeats what
// the peer sent.
func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// SupportedVersion reports whether we accept a peer's api-version: 2.1.0 up to any 3.x.
func SupportedVersion(v string) bool {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || minor < 0 {
		return false
	}
	if len(parts) == 3 {
		patch := parts[2]
		if i := strings.IndexAny(patch, "-+"); i >= 0 {
			patch = patch[:i]
		}
		if n, err := strconv.Atoi(patch); err != nil || n < 0 {
			return false
		}
	}
	return (major == 2 && minor >= 1) || major == 3
}

// validRequestID accepts the UUIDs TRP asks for, and other short opaque tokens of safe
// characters (we echo them and put them in callback paths).
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// headers checks the TRP headers of a POST (api-version, request-identifier, content-type),
// echoes them, and answers the error itself when they are wrong.
func (s *Service) headers(w http.ResponseWriter, r *http.Request) (info, bool) {
	w.Header().Set(HeaderAPIVersion, APIVersion)
	in := info{version: strings.TrimSpace(r.Header.Get(HeaderAPIVersion)), requestID: strings.TrimSpace(r.Header.Get(HeaderRequestIdentifier))}
	if in.version == "" {
		fail(w, http.StatusBadRequest, "the api-version header is required")
		return in, false
	}
	if !SupportedVersion(in.version) {
		fail(w, http.StatusBadRequest, "unsupported api-version: this server accepts 2.1.0 to 3.x")
		return in, false
	}
	if in.requestID == "" {
		fail(w, http.StatusBadRequest, "the request-identifier header is required")
		return in, false
	}
	if !validRequestID(in.requestID) {
		fail(w, http.StatusBadRequest, "the request-identifier must be a UUID")
		return in, false
	}
	w.Header().Set(HeaderRequestIdentifier, in.requestID)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			fail(w, http.StatusUnsupportedMediaType, "the content-type must be application/json")
			return in, false
		}
	}
	if !s.insecure && peerCert(r) == nil {
		fail(w, http.StatusUnauthorized, "a client certificate is required (mutual TLS)")
		return in, false
	}
	return in, true
}

func peerCert(r *http.Request) *x509.Certificate {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	return r.TLS.PeerCertificates[0]
}

func (s *Service) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body exceeds %d bytes", s.maxBody))
			return nil, false
		}
		fail(w, http.StatusBadRequest, "the body could not be read")
		return nil, false
	}
	return b, true
}

// failFor answers an error of the engine or of this package with the status TRP peers expect.
func (s *Service) failFor(w http.ResponseWriter, err error, vaspID, messageID string) {
	var (
		ve *engine.ValidationError
		te *transfer.TransitionError
		ue *engine.UnknownTransferError
		ce *engine.ConflictError
		we *WireError
	)
	switch {
	case errors.As(err, &we):
		fail(w, http.StatusBadRequest, we.Error())
	case errors.As(err, &ve):
		fail(w, http.StatusUnprocessableEntity, ve.Error())
	case errors.As(err, &te):
		fail(w, http.StatusConflict, fmt.Sprintf("the transfer is %s: it does not take this message", te.From))
	case errors.As(err, &ue), errors.Is(err, store.ErrNotFound):
		fail(w, http.StatusNotFound, "no transfer with this request-identifier")
	case errors.As(err, &ce):
		fail(w, http.StatusConflict, ce.Error())
	case errors.Is(err, errStateMismatch):
		fail(w, http.StatusConflict, errStateMismatch.Error())
	case errors.Is(err, ErrUnknownPeer), errors.Is(err, ErrAmbiguousPeer):
		fail(w, http.StatusForbidden, err.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		fail(w, http.StatusServiceUnavailable, "try again later")
	default:
		s.log.Error("trp: request failed", append(logCtx(vaspID, messageID), "err", err)...)
		fail(w, http.StatusInternalServerError, "internal error")
	}
}

// handleInquiry receives a Transfer Inquiry for a hosted VASP (or one of its wallets): we are
// the beneficiary VASP. The answer is always the acknowledgement {"version"}; the resolution
// follows by callback once the transfer is decided.
func (s *Service) handleInquiry(w http.ResponseWriter, r *http.Request) {
	hdr, ok := s.headers(w, r)
	if !ok {
		return
	}
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	in, err := DecodeInquiry(body)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := ctxTimeout(r.Context())
	defer cancel()
	vaspID, walletID := r.PathValue("vasp"), r.PathValue("wallet")
	rd := s.st.Read()
	if _, err := rd.GetVASP(ctx, vaspID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			fail(w, http.StatusNotFound, "no such travel address on this server")
			return
		}
		s.failFor(w, err, vaspID, hdr.requestID)
		return
	}
	var wallet *vasp.Wallet
	if walletID != "" {
		if wallet, _, err = rd.GetWallet(ctx, vaspID, walletID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				fail(w, http.StatusNotFound, "no such travel address on this server")
				return
			}
			s.failFor(w, err, vaspID, hdr.requestID)
			return
		}
	}
	cp, err := s.identify(ctx, vaspID, peerCert(r), in.Callback)
	if err != nil {
		s.log.Warn("trp: inquiry from an unidentified peer", append(logCtx(vaspID, hdr.requestID), "err", err)...)
		s.failFor(w, err, vaspID, hdr.requestID)
		return
	}
	asset, err := s.assetIn(ctx, in.Asset)
	if err != nil {
		if errors.Is(err, errUnknownAsset) {
			// An asset we cannot name is refused in band, as TRP expects of a business refusal.
			writeJSON(w, http.StatusOK, encodeJSON(&Resolution{Rejected: CodeUnsupportedAsset + ": " + err.Error()}))
			return
		}
		s.failFor(w, err, vaspID, hdr.requestID)
		return
	}
	tx := &route.Transaction{Asset: asset, Amount: in.Amount}
	if wallet != nil {
		if wallet.Network != asset.Network {
			fail(w, http.StatusUnprocessableEntity, "the travel address names a wallet on another network than the asset's")
			return
		}
		tx.DestinationAddress, tx.Memo = wallet.Address, wallet.Memo
	} else if b := in.Identity.Beneficiary; b != nil && len(b.AccountNumbers) > 0 {
		tx.DestinationAddress = strings.TrimSpace(b.AccountNumbers[0])
	}
	// A request-identifier that names another peer's exchange is refused. (A retry of this
	// peer's inquiry is a duplicate for the engine, which then records nothing.)
	if st, err := rd.GetTRPTransfer(ctx, vaspID, hdr.requestID); err == nil && (st.CounterpartyID != cp.ID || st.Role != store.TRPRoleBeneficiary) {
		s.failFor(w, errStateMismatch, vaspID, hdr.requestID)
		return
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.failFor(w, err, vaspID, hdr.requestID)
		return
	}
	// The callback is recorded in the transaction that records the transfer: the answer a job
	// sends later finds it, and a refused inquiry leaves nothing behind.
	record := func(ctx context.Context, stx store.Tx) error {
		_, err := s.putStateTx(ctx, stx, vaspID, hdr.requestID, store.TRPRoleBeneficiary, cp.ID, func(_ store.Tx, st *store.TRPTransfer) error {
			st.PeerCallback, st.APIVersion = in.Callback, hdr.version
			return nil
		})
		return err
	}
	err = s.recv.Receive(ctx, &route.Inbound{VASPID: vaspID, Route: transfer.RouteTRP, CounterpartyID: cp.ID, Record: record,
		Message: route.Message{ID: hdr.requestID + "/inquiry", TransferMessageID: hdr.requestID, Kind: route.KindInquiry,
			Transaction: tx, Originator: in.Identity.Originator, Beneficiary: in.Identity.Beneficiary, SentAt: s.now()}})
	if err != nil {
		s.failFor(w, err, vaspID, hdr.requestID)
		return
	}
	writeJSON(w, http.StatusOK, encodeJSON(&Resolution{Version: APIVersion}))
}

// errUnknownAsset: the TRP asset names nothing in our catalogue.
var errUnknownAsset = errors.New("the asset is not in this server's catalogue")

// assetIn finds the catalogue asset a TRP asset names: by DTI, else by SLIP-0044 coin type (the
// native coin of a network).
func (s *Service) assetIn(ctx context.Context, a Asset) (transfer.Asset, error) {
	for _, fresh := range []bool{false, true} {
		list, err := s.catalogue(ctx, fresh)
		if err != nil {
			return transfer.Asset{}, err
		}
		var found []store.Asset
		for _, row := range list {
			if (a.DTI != "" && strings.EqualFold(row.DTI, a.DTI)) || (a.DTI == "" && a.HasSLIP44 && int64(row.SLIP44) == a.SLIP44 && row.SLIP44 >= 0) {
				found = append(found, row)
			}
		}
		if len(found) == 1 {
			return transfer.Asset{Network: found[0].Network, Symbol: found[0].Symbol, DTI: found[0].DTI}, nil
		}
	}
	return transfer.Asset{}, errUnknownAsset
}

// catalogueTTL is how long the asset catalogue is read from memory; an asset not found there
// is looked for again in the store at once, so a new asset is known immediately.
const catalogueTTL = 10 * time.Second

// catalogue returns the asset catalogue, cached for catalogueTTL (fresh reads the store).
func (s *Service) catalogue(ctx context.Context, fresh bool) ([]store.Asset, error) {
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	now := s.clock()
	if !fresh && s.cat.list != nil && now.Sub(s.cat.at) < catalogueTTL && now.After(s.cat.at.Add(-time.Second)) {
		return s.cat.list, nil
	}
	list, err := s.st.Read().ListAssets(ctx)
	if err != nil {
		return nil, err
	}
	s.cat.list, s.cat.at = list, now
	return list, nil
}

// callbackTransfer loads the transfer a callback is about and checks the caller: the transfer
// must be ours over TRP in the given direction, and the caller's certificate must vouch for its
// counterparty's host.
func (s *Service) callbackTransfer(ctx context.Context, r *http.Request, vaspID, messageID string, dir transfer.Direction) (*store.Transfer, *counterparty.Counterparty, error) {
	rd := s.st.Read()
	t, err := rd.GetTransferByMessageID(ctx, vaspID, messageID)
	if err != nil {
		return nil, nil, err
	}
	if t.Route != transfer.RouteTRP || t.Direction != dir || t.CounterpartyID == "" {
		return nil, nil, &engine.UnknownTransferError{MessageID: messageID}
	}
	cp, err := rd.GetCounterparty(ctx, vaspID, t.CounterpartyID)
	if err != nil {
		return nil, nil, err
	}
	if err := verifyPeer(peerCert(r), cp); err != nil {
		return nil, nil, err
	}
	return t, cp, nil
}

// handleResolve receives the beneficiary VASP's resolution of our inquiry (we are the
// originating VASP).
func (s *Service) handleResolve(w http.ResponseWriter, r *http.Request) {
	hdr, ok := s.headers(w, r)
	if !ok {
		return
	}
	vaspID, msgID := r.PathValue("vasp"), r.PathValue("msg")
	if hdr.requestID != msgID {
		fail(w, http.StatusBadRequest, "the request-identifier does not match this callback")
		return
	}
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	res, err := DecodeResolution(body)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := ctxTimeout(r.Context())
	defer cancel()
	t, cp, err := s.callbackTransfer(ctx, r, vaspID, msgID, transfer.Outgoing)
	if err != nil {
		s.failFor(w, err, vaspID, msgID)
		return
	}
	if err := s.resolved(ctx, &t.Transfer, cp, res, hdr.version); err != nil && !isSettled(err) {
		s.failFor(w, err, vaspID, msgID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// resolved applies a resolution of our inquiry, received by callback or in the inquiry's
// response.
func (s *Service) resolved(ctx context.Context, t *transfer.Transfer, cp *counterparty.Counterparty, res *Resolution, version string) error {
	msgID := t.MessageID
	var m route.Message
	switch {
	case res.Approved != nil:
		pending := false
		_, err := s.putState(ctx, t.VASPID, msgID, store.TRPRoleOriginator, cp.ID, func(tx store.Tx, st *store.TRPTransfer) error {
			st.PeerCallback = res.Approved.Callback
			if version != "" {
				st.APIVersion = version
			}
			if st.PendingCancel != "" {
				pending = true
				return s.enqueueCancel(ctx, tx, t.VASPID, msgID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if pending {
			s.notify()
		}
		m = route.Message{ID: msgID + "/resolve/approved", Kind: route.KindDecision, Decision: route.DecisionAccept,
			DepositAddress: res.Approved.Address}
	case res.Rejected != "":
		m, _ = readRefusal(res.Rejected)
		m.ID = msgID + "/resolve/rejected"
	default:
		return nil // {"version"}: acknowledged, nothing to apply
	}
	m.TransferMessageID, m.SentAt = msgID, s.now()
	return s.recv.Receive(ctx, &route.Inbound{VASPID: t.VASPID, Route: transfer.RouteTRP, CounterpartyID: cp.ID, Message: m})
}

// isSettled reports a message about a transfer we already ended: nothing is left to do, so the
// peer gets its 204 (a cancel waiting for the approval goes out by job).
func isSettled(err error) bool {
	var te *transfer.TransitionError
	return errors.As(err, &te) && te.From.Final()
}

// isRefusal reports an error meaning the message will never apply.
func isRefusal(err error) bool { return engine.Refused(err) }

// handleConfirm receives the originating VASP's confirmation after our approval (we are the
// beneficiary VASP): the chain hash, or a cancel.
func (s *Service) handleConfirm(w http.ResponseWriter, r *http.Request) {
	hdr, ok := s.headers(w, r)
	if !ok {
		return
	}
	vaspID, msgID := r.PathValue("vasp"), r.PathValue("msg")
	if hdr.requestID != msgID {
		fail(w, http.StatusBadRequest, "the request-identifier does not match this callback")
		return
	}
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	c, err := DecodeConfirmation(body)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := ctxTimeout(r.Context())
	defer cancel()
	t, cp, err := s.callbackTransfer(ctx, r, vaspID, msgID, transfer.Incoming)
	if err != nil {
		s.failFor(w, err, vaspID, msgID)
		return
	}
	m := route.Message{TransferMessageID: msgID, SentAt: s.now()}
	if c.TxID != "" {
		m.ID, m.Kind, m.TxHash = msgID+"/confirm/txid", route.KindTxHash, c.TxID
	} else {
		m.ID, m.Kind, m.Reason = msgID+"/confirm/canceled", route.KindCancel, orText(c.Canceled, CodeCancelled)
	}
	err = s.recv.Receive(ctx, &route.Inbound{VASPID: t.VASPID, Route: transfer.RouteTRP, CounterpartyID: cp.ID, Message: m})
	if err != nil && !isSettled(err) {
		s.failFor(w, err, vaspID, msgID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Discovery (the TRP discoverability extension) and identity.

func (s *Service) handleVersion(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HeaderAPIVersion, APIVersion)
	writeJSON(w, http.StatusOK, encodeJSON(map[string]string{"version": APIVersion, "vendor": s.vendor}))
}

func (s *Service) handleUptime(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HeaderAPIVersion, APIVersion)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	secs := int64(s.clock().Sub(s.started).Seconds())
	_, _ = io.WriteString(w, strconv.FormatInt(max(secs, 0), 10))
}

func (s *Service) handleExtensions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HeaderAPIVersion, APIVersion)
	writeJSON(w, http.StatusOK, []byte(`{"required":[],"supported":["discoverability"]}`))
}

// identity is the body of /identity.
type identity struct {
	Name string `json:"name,omitempty"`
	LEI  string `json:"lei,omitempty"`
	X509 string `json:"x509,omitempty"`
}

// handleIdentity answers /trp/v/{vasp}/identity for a hosted VASP, and /identity for the node:
// its only hosted VASP, or just the certificate when it hosts several.
func (s *Service) handleIdentity(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HeaderAPIVersion, APIVersion)
	ctx, cancel := ctxTimeout(r.Context())
	defer cancel()
	out := identity{X509: s.certificatePEM()}
	if id := r.PathValue("vasp"); id != "" {
		v, err := s.st.Read().GetVASP(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			fail(w, http.StatusNotFound, "no such VASP on this server")
			return
		}
		if err != nil {
			s.failFor(w, err, id, "")
			return
		}
		out.Name, out.LEI = v.Name, v.LEI
	} else {
		list, err := s.st.Read().ListVASPs(ctx)
		if err != nil {
			s.failFor(w, err, "", "")
			return
		}
		if len(list) == 1 {
			out.Name, out.LEI = list[0].Name, list[0].LEI
		}
	}
	writeJSON(w, http.StatusOK, encodeJSON(out))
}
