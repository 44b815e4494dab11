// SPDX-License-Identifier: Apache-2.0
// Driver selection: a URI-like string names the driver and its parameters, e.g.
//   pcsc:                     pcsc:reader=Gemalto        pcsc:?reader=Gemalto&exclusive=1
//   at:/dev/ttyUSB2?mode=csim qmi:/dev/cdc-wdm0?slot=1   qmi:qrtr   virtual:/var/lib/lpad/veuicc.json
// The registry is static: CMake generates the list of drivers from the LPAD_WITH_* options. In lpad (the daemon)
// pcsc, qmi and mbim are loadable modules, loaded when a URI first needs them (drivers/module_loader.h); in the
// tests, benchmarks and fuzz targets every driver is linked in.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libapdu/transport.h"

namespace lpad::drivers {

// scheme:[path][?key=value&...]. For schemes without a path, "pcsc:reader=X" is read as "pcsc:?reader=X".
struct DriverUri {
    std::string scheme;
    std::string path;
    std::map<std::string, std::string> params;

    // Throws Error(InvalidArgument) naming the problem: no scheme, empty key, duplicate key.
    static DriverUri parse(std::string_view text);
    std::string to_string() const;

    bool has(const std::string& key) const { return params.count(key) != 0; }
    std::string get(const std::string& key, const std::string& fallback = "") const;
    // Integer parameter in [min, max]; throws Error(InvalidArgument) naming the key otherwise.
    long get_int(const std::string& key, long fallback, long min, long max) const;
    bool get_bool(const std::string& key, bool fallback) const;
    // Throws Error(InvalidArgument) if a parameter is not in `known` (catches typos in configs).
    void expect_only(std::initializer_list<std::string_view> known) const;
};

// Card presence as a driver that can watch it sees it (pcsc: SCardGetStatusChange). The daemon uses it to notice a
// removed card or a stopped service without touching the card, and to re-read the card when it comes back.
enum class Presence {
    Present,      // a card is in the reader(s) the URI selects
    Absent,       // no card (removed, or the reader is unplugged)
    NoService,    // the service behind the driver is not there (pcscd not running); the watch keeps retrying
};
std::string_view presence_name(Presence p);  // "present", "absent", "no-service"

struct PresenceEvent {
    Presence presence = Presence::Absent;
    bool changed_card = false;  // Present only: the card was removed and inserted since the last report
    std::string detail;         // for the log: which reader, or the error that says why
    // Present only: another program used the card (and has let go of it) since lpad last did, so what lpad read
    // from it may be stale (e.g. lpac enabled a profile). Drivers that cannot tell never set it.
    bool used_elsewhere = false;
};

// A running watch. Its callback runs on the watch's own thread: it must only hand the event over (post it), never
// touch the card. The first event reports the state at start; later ones report changes only. Destroying the watch
// stops it: no callback runs after the destructor returns.
class PresenceWatch {
public:
    using Callback = std::function<void(const PresenceEvent&)>;
    virtual ~PresenceWatch() = default;
};

struct DriverInfo {
    std::string scheme;
    std::string summary;  // one line for `lpad --list-drivers` and docs
    std::function<std::unique_ptr<Transport>(const DriverUri&)> create;
    // Optional: start a presence watch for the card(s) `uri` selects. Empty for drivers that cannot watch.
    std::function<std::unique_ptr<PresenceWatch>(const DriverUri&, PresenceWatch::Callback)> watch = {};
    // Optional: one URI naming several cards (pcsc:?reader=*) → one URI per card found, in a stable order; each
    // skipped reader is logged. Empty (or for a URI naming one card): the URI stands for itself.
    std::function<std::vector<std::string>(const DriverUri&)> expand = {};
    // Set for a driver the daemon loads as a module on first use (drivers/module_loader.h): its file name, e.g.
    // "lpad-driver-pcsc.so". Empty for a driver linked in.
    std::string module = {};
};

// The drivers of this build, in a fixed order (module drivers are listed whether or not their module is loaded).
const std::vector<DriverInfo>& registry();
// Parse `uri` and construct its driver (not yet opened). Unknown scheme → Error(InvalidArgument) listing the known ones.
std::unique_ptr<Transport> create_transport(std::string_view uri);
// The driver's presence watch for `uri`, or nullptr when its driver cannot watch. Same errors as create_transport
// for a bad URI; a service that is down is reported through the callback (NoService), not thrown.
std::unique_ptr<PresenceWatch> watch_presence(std::string_view uri, PresenceWatch::Callback callback);
// The cards `uri` stands for (DriverInfo::expand); {uri} for drivers without expansion. May return an empty list
// (nothing found right now); throws only for a bad URI.
std::vector<std::string> expand_uri(std::string_view uri);

}  // namespace lpad::drivers
