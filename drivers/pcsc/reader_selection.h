// SPDX-License-Identifier: Apache-2.0
// Which PC/SC reader(s) the `pcsc:` driver may use, from its URI parameters. Pure logic over a list of reader
// names (as SCardListReaders returns them), so it is unit-tested without pcscd.
//
//   pcsc:                    every reader, probed in order: the first whose card answers SELECT ISD-R wins
//   pcsc:reader=Gemalto      readers whose name contains "Gemalto" (case-insensitive); several are probed in order;
//                            a reader whose whole name is "Gemalto" (exactly) is chosen alone
//   pcsc:index=1             the second reader (0-based), used without probing
//   pcsc:reader=*            every reader: for one transport like `pcsc:`; the daemon expands it into one card per
//                            reader holding an eUICC (pcsc_presence.h, expand_readers)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "drivers/registry.h"

namespace lpad::pcsc {

struct ReaderSelector {
    std::string name_contains;         // reader=; "" = any reader (also reader=*)
    bool all = false;                  // reader=*
    std::optional<std::size_t> index;  // index=N (0-based)

    // reader= and index= (not both: InvalidArgument). Other parameters are the driver's to check.
    static ReaderSelector from_uri(const drivers::DriverUri& uri);

    // The readers to try, as indexes into `readers`, in order. Throws Error(Unavailable) naming the readers there
    // are when none qualifies (no readers at all, no name match, index out of range): a reader may appear later.
    std::vector<std::size_t> candidates(const std::vector<std::string>& readers) const;

    // True when the candidates must be probed for an eUICC (more than one may qualify); false for index= and for a
    // reader= that matched exactly one reader, which is then used as it is.
    bool needs_probe(std::size_t candidate_count) const;

    // "any reader", "reader matching 'X'", "reader index 2", for messages.
    std::string describe() const;
};

}  // namespace lpad::pcsc
