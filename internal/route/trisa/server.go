package trisa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/waybill/waybill/internal/store"
)

// maxMessageBytes bounds one envelope received (gRPC's default is 4 MiB).
const maxMessageBytes = 4 << 20

// Server returns the gRPC server of the route, with TRISANetwork and TRISAHealth registered
// behind mutual TLS (for Serve, or for tests that listen themselves).
func (a *Adapter) Server() (*grpc.Server, error) {
	conf, err := a.id.serverTLS(a.verifyClient)
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(conf)), grpc.MaxRecvMsgSize(maxMessageBytes),
		grpc.ChainUnaryInterceptor(a.recoverUnary), grpc.ChainStreamInterceptor(a.recoverStream))
	api.RegisterTRISANetworkServer(srv, &network{a: a})
	api.RegisterTRISAHealthServer(srv, &health{a: a})
	return srv, nil
}

// Serve answers peers on ln until ctx ends, then stops: in-flight calls get a few seconds to
// finish, and the connections to peers are closed.
func (a *Adapter) Serve(ctx context.Context, ln net.Listener) error {
	srv, err := a.Server()
	if err != nil {
		_ = ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		_ = a.Close()
		return fmt.Errorf("trisa server: %w", err)
	}
	done := make(chan struct{})
	go func() { srv.GracefulStop(); close(done) }()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		srv.Stop()
		<-done
	}
	return a.Close()
}

// ListenAndServe listens on addr and serves until ctx ends.
func (a *Adapter) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("trisa listen: %w", err)
	}
	a.log.Info("trisa: listening", "addr", ln.Addr().String(), "common_name", a.id.CommonName())
	return a.Serve(ctx, ln)
}

// recoverUnary and recoverStream are the last line: a handler must not panic on a peer's
// input, and if one does the peer gets Internal, not a dead node.
func (a *Adapter) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("trisa: handler panicked", "method", info.FullMethod, "panic", fmt.Sprint(r))
			resp, err = nil, status.Error(codes.Internal, "internal error")
		}
	}()
	return h(ctx, req)
}

func (a *Adapter) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("trisa: handler panicked", "method", info.FullMethod, "panic", fmt.Sprint(r))
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return h(srv, ss)
}

// peerOf returns the verified client certificate of a call.
func peerOf(ctx context.Context) (*peerCert, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "no peer")
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return nil, status.Error(codes.Unauthenticated, "mutual TLS is required")
	}
	certs := ti.State.PeerCertificates
	return &peerCert{chain: certs, names: certNames(certs[0])}, nil
}

// network implements TRISANetwork.
type network struct {
	api.UnimplementedTRISANetworkServer
	a *Adapter
}

// Transfer answers one envelope with one envelope; refusals are error envelopes in an OK
// response.
func (s *network) Transfer(ctx context.Context, in *api.SecureEnvelope) (*api.SecureEnvelope, error) {
	pc, err := peerOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.a.handle(ctx, pc, in), nil
}

// TransferStream answers each envelope of the stream in order, as Transfer would.
func (s *network) TransferStream(stream grpc.BidiStreamingServer[api.SecureEnvelope, api.SecureEnvelope]) error {
	ctx := stream.Context()
	pc, err := peerOf(ctx)
	if err != nil {
		return err
	}
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(s.a.handle(ctx, pc, in)); err != nil {
			return err
		}
	}
}

// KeyExchange keeps the peer's sealing key (for the replies we seal for it) and returns ours.
func (s *network) KeyExchange(ctx context.Context, in *api.SigningKey) (*api.SigningKey, error) {
	pc, err := peerOf(ctx)
	if err != nil {
		return nil, err
	}
	k, err := exchangeKey(in, s.a.clock())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for _, n := range pc.names {
		s.a.cache.put(n, k)
	}
	return s.a.id.exchange, nil
}

// ConfirmAddress says whether a hosted VASP that has the caller in its directory holds the
// address in its wallet address book (SIMPLE confirmation; KEYTOKEN and ONCHAIN are not
// supported). Callers no VASP knows learn nothing.
func (s *network) ConfirmAddress(ctx context.Context, in *api.Address) (*api.AddressConfirmation, error) {
	pc, err := peerOf(ctx)
	if err != nil {
		return nil, err
	}
	reply := &api.AddressConfirmation{Address: in}
	if in == nil {
		reply.Error = &api.Error{Code: api.MissingFields, Message: "no address", Retry: true}
		return reply, nil
	}
	cands, err := s.a.senders(ctx, pc)
	if err != nil {
		s.a.log.Error("trisa: directory lookup failed", "err", err)
		reply.Error = internalError()
		return reply, nil
	}
	if len(cands) == 0 {
		reply.Error = &api.Error{Code: api.Forbidden, Message: "no VASP on this node has a directory entry for your certificate"}
		return reply, nil
	}
	switch in.Confirmation {
	case api.ConfirmationTypeSimple, api.ConfirmationTypeUnknown:
	default:
		reply.Error = &api.Error{Code: api.Error_UNSUPPORTED_ADDRESS_CONFIRMATION, Message: "only SIMPLE address confirmation is supported"}
		return reply, nil
	}
	addr := strings.TrimSpace(in.CryptoAddress)
	if addr == "" || in.Network == "" {
		reply.Error = &api.Error{Code: api.MissingFields, Message: "crypto_address and network are required", Retry: true}
		return reply, nil
	}
	if len(addr) > 256 {
		reply.Error = &api.Error{Code: api.ValidationError, Message: "crypto_address is too long", Retry: true}
		return reply, nil
	}
	netName := networkName(in.Network)
	key := s.a.addr.Key(netName, addr)
	rd := s.a.store.Read()
	seen := map[string]bool{}
	for _, cp := range cands {
		if seen[cp.VASPID] {
			continue
		}
		seen[cp.VASPID] = true
		w, _, err := rd.FindWallet(ctx, cp.VASPID, netName, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			s.a.log.Error("trisa: address book lookup failed", "err", err)
			reply.Error = internalError()
			return reply, nil
		}
		if in.Tag == "" || w.Memo == "" || w.Memo == in.Tag {
			reply.ControlledByEntity = true
			return reply, nil
		}
	}
	return reply, nil
}

// health implements TRISAHealth.
type health struct {
	api.UnimplementedTRISAHealthServer
	a *Adapter
}

// Status reports HEALTHY while the database answers, and when to check again.
func (s *health) Status(ctx context.Context, _ *api.HealthCheck) (*api.ServiceState, error) {
	if _, err := peerOf(ctx); err != nil {
		return nil, err
	}
	now := s.a.clock()
	st := api.ServiceStatusHealthy
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.a.store.Ping(pctx); err != nil {
		st = api.ServiceStatusUnhealthy
	}
	return &api.ServiceState{Status: st, NotBefore: now.Add(time.Minute).Format(time.RFC3339),
		NotAfter: now.Add(30 * time.Minute).Format(time.RFC3339)}, nil
}
