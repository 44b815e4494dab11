// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10_types.h"

#include "libapdu/es10_codec.h"

namespace lpad::es10 {

std::string_view name(ProfileClass v) {
    return codec::lookup(static_cast<int>(v), {{0, "test"}, {1, "provisioning"}, {2, "operational"}});
}

std::string_view name(IconType v) { return codec::lookup(static_cast<int>(v), {{0, "jpg"}, {1, "png"}}); }

std::string_view name(PprId bit) {
    return codec::bit_lookup(static_cast<std::size_t>(bit), {"pprUpdateControl", "ppr1", "ppr2", "ppr3"});
}

}  // namespace lpad::es10

namespace lpad::es10::codec {

void write(tlv::Writer& w, tlv::Tag tag, const OperatorId& op, std::string_view message) {
    w.begin(tag).add(0x80, checked_size(op.mcc_mnc, 3, 3, message, "mccMnc"));
    if (op.gid1) w.add(0x81, *op.gid1);
    if (op.gid2) w.add(0x82, *op.gid2);
    w.end();
}

OperatorId read_operator_id(const tlv::Element& e) {
    Reader r(e, "OperatorID");
    OperatorId op;
    op.mcc_mnc = r.octets(0x80, "mccMnc", 3, 3);
    if (auto x = r.optional(0x81)) op.gid1 = r.octets(*x, "gid1");
    if (auto x = r.optional(0x82)) op.gid2 = r.octets(*x, "gid2");
    r.finish();
    return op;
}

// notificationConfigurationInfo [22] SEQUENCE OF NotificationConfigurationInformation (B6).
void write(tlv::Writer& w, const std::vector<NotificationConfigurationInformation>& list, std::string_view message) {
    w.begin(0xB6);
    for (const auto& n : list)
        w.begin(0x30)
            .add(0x80, n.profile_management_operation.encode_content())
            .add(0x81, checked_utf8(n.notification_address, unlimited, message, "notificationAddress"))
            .end();
    w.end();
}

std::vector<NotificationConfigurationInformation> read_notification_configs(const Reader& r, const tlv::Element& b6) {
    std::vector<NotificationConfigurationInformation> out;
    for (const auto& c : r.children(b6)) {
        if (c.tag != 0x30) r.fail("notificationConfigurationInfo", "expected SEQUENCE (30), found " + tlv::tag_name(c.tag));
        Reader n(c, "NotificationConfigurationInformation");
        NotificationConfigurationInformation info;
        info.profile_management_operation = n.bits(0x80, "profileManagementOperation");
        info.notification_address = n.utf8(0x81, "notificationAddress");
        n.finish();
        out.push_back(std::move(info));
    }
    return out;
}

}  // namespace lpad::es10::codec
