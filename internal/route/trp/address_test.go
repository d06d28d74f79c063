package trp

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPaths(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/trp/v/v1", InquiryPath("v1", ""))
	require.Equal(t, "/trp/v/v1/w/w%2F1", InquiryPath("v1", "w/1"))
	require.Equal(t, "/trp/v/v1/transfers/m1/resolve", ResolvePath("v1", "m1"))
	require.Equal(t, "/trp/v/v1/transfers/m1/confirm", ConfirmPath("v1", "m1"))
}
