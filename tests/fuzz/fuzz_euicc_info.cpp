// SPDX-License-Identifier: Apache-2.0
// Fuzz target: EUICCInfo1, EUICCInfo2 and the ETSI TS 102 226 extCardResource decoder, with the same round-trip
// oracle as fuzz_es10c: only lpad::Error may escape the first decode.
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "libapdu/error.h"
#include "libapdu/euicc_info.h"

namespace {

template <typename T>
void round_trip(lpad::ByteView in) {
    std::optional<T> v;
    try {
        v = T::decode(in);
    } catch (const lpad::Error&) {
        return;
    }
    if (!(T::decode(v->encode()) == *v)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::es10;
    lpad::ByteView in(data, size);
    round_trip<EUICCInfo1>(in);
    round_trip<EUICCInfo2>(in);
    round_trip<ExtCardResource>(in);
    try {
        (void)GetEuiccInfo1Request::decode(in);
        (void)GetEuiccInfo2Request::decode(in);
    } catch (const lpad::Error&) {
    }
    try {
        auto info = EUICCInfo2::decode(in);
        (void)info.ext_card_resource_info();
        for (std::size_t i = 0; i < info.uicc_capability.size(); ++i) (void)name(static_cast<UiccCapability>(i));
        (void)bit_names<RspCapability>(info.rsp_capability);
        if (info.euicc_category) (void)name(*info.euicc_category);
    } catch (const lpad::Error&) {
    }
    return 0;
}
