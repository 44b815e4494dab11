// Driver selection: a URI-like string names the driver and its parameters, e.g.
//   pcsc:                     pcsc:reader=Gemalto        pcsc:?reader=Gemalto&exclusive=1
//   at:/dev/ttyUSB2?mode=csim qmi:/dev/cdc-wdm0?slot=1   qmi:qrtr   virtual:/var/lib/lpad/veuicc.json
// The registry is static: CMake generates the list of compiled-in drivers from the LPAD_WITH_* options.
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

struct DriverInfo {
    std::string scheme;
    std::string summary;  // one line for `lpad --list-drivers` and docs
    std::function<std::unique_ptr<Transport>(const DriverUri&)> create;
};

// The compiled-in drivers, in a fixed order.
const std::vector<DriverInfo>& registry();
// Parse `uri` and construct its driver (not yet opened). Unknown scheme → Error(InvalidArgument) listing the known ones.
std::unique_ptr<Transport> create_transport(std::string_view uri);

}  // namespace lpad::drivers
