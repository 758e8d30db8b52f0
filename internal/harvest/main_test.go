package harvest_test

import (
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
