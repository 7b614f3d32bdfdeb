package verify

import "fmt"

var fmtSscanf = fmt.Sscanf
