// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10a.h"

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::checked_utf8;
using codec::Reader;
using codec::unlimited;

Bytes EuiccConfiguredAddressesRequest::encode() const { return tlv::make(tag, ByteView{}); }
EuiccConfiguredAddressesRequest EuiccConfiguredAddressesRequest::decode(ByteView der) {
    codec::decode_empty(der, tag, "EuiccConfiguredAddressesRequest");
    return {};
}

Bytes EuiccConfiguredAddressesResponse::encode() const {
    tlv::Writer w;
    w.begin(tag);
    if (default_dp_address)
        w.add(0x80, checked_utf8(*default_dp_address, unlimited, "EuiccConfiguredAddressesResponse", "defaultDpAddress"));
    w.add(0x81, checked_utf8(root_ds_address, unlimited, "EuiccConfiguredAddressesResponse", "rootDsAddress"));
    w.end();
    return w.take();
}

EuiccConfiguredAddressesResponse EuiccConfiguredAddressesResponse::decode(ByteView der) {
    Reader fr(der, tag, "EuiccConfiguredAddressesResponse");
    EuiccConfiguredAddressesResponse r;
    if (auto x = fr.optional(0x80)) r.default_dp_address = fr.utf8(*x, "defaultDpAddress");
    r.root_ds_address = fr.utf8(0x81, "rootDsAddress");
    fr.finish();
    return r;
}

std::string_view name(SetDefaultDpAddressResult v) {
    return codec::lookup(static_cast<int>(v), {{0, "ok"}, {127, "undefinedError"}});
}

Bytes SetDefaultDpAddressRequest::encode() const {
    return tlv::make(tag, tlv::make(0x80, checked_utf8(default_dp_address, unlimited, "SetDefaultDpAddressRequest",
                                                       "defaultDpAddress")));
}

SetDefaultDpAddressRequest SetDefaultDpAddressRequest::decode(ByteView der) {
    Reader fr(der, tag, "SetDefaultDpAddressRequest");
    SetDefaultDpAddressRequest r;
    r.default_dp_address = fr.utf8(0x80, "defaultDpAddress");
    fr.finish();
    return r;
}

Bytes SetDefaultDpAddressResponse::encode() const {
    return codec::encode_result(tag, static_cast<int>(set_default_dp_address_result));
}

SetDefaultDpAddressResponse SetDefaultDpAddressResponse::decode(ByteView der) {
    return {SetDefaultDpAddressResult(
        codec::decode_result(der, tag, "SetDefaultDpAddressResponse", "setDefaultDpAddressResult"))};
}

void SetDefaultDpAddressResponse::check() const {
    codec::check_result("SetDefaultDpAddress", set_default_dp_address_result);
}

}  // namespace lpad::es10
