use super::*;
use rand_core::OsRng;

const T: [u8; 16] = [5; 16];

#[test]
fn an_invited_device_joins_and_nobody_else_can() {
    let (a, b, c) = (
        SigningKey::generate(&mut OsRng),
        SigningKey::generate(&mut OsRng),
        SigningKey::generate(&mut OsRng),
    );
    let invite = SigningKey::generate(&mut OsRng);
    let mut ops = vec![
        MembershipOp::genesis(&T, &[1; 16], "m1", &a),
        MembershipOp::invite(&T, &[1; 16], &a, &invite.verifying_key(), 1_000),
        MembershipOp::join(&T, &[2; 16], "m2", &b, &invite),
    ];
    let at = |ops: &[MembershipOp], t: i64| ops.iter().map(|o| (o.clone(), t)).collect::<Vec<_>>();
    let r = Roster::replay(&T, &at(&ops, 500));
    assert!(r.contains(&[1; 16]) && r.contains(&[2; 16]));
    assert!(r.rejected.is_empty());

    // The invite is single use.
    ops.push(MembershipOp::join(&T, &[3; 16], "m3", &c, &invite));
    // A relay inventing a member: an invite signed by a non-member.
    let fake_invite = SigningKey::generate(&mut OsRng);
    ops.push(MembershipOp::invite(
        &T,
        &[9; 16],
        &c,
        &fake_invite.verifying_key(),
        1_000,
    ));
    ops.push(MembershipOp::join(&T, &[4; 16], "m4", &c, &fake_invite));
    let r = Roster::replay(&T, &at(&ops, 500));
    assert_eq!(r.devices.len(), 2, "{:?}", r.devices.keys().collect::<Vec<_>>());
    assert_eq!(r.rejected, vec![3, 4, 5]);

    // An expired invite admits no one.
    let late = Roster::replay(&T, &at(&ops[..3], 2_000));
    assert!(!late.contains(&[2; 16]));
}

fn keys(n: usize) -> Vec<SigningKey> {
    (0..n).map(|_| SigningKey::generate(&mut OsRng)).collect()
}

/// Genesis by device 1 (member "admin"), then devices 2.. join as
/// members "m2".. (device 3 also belongs to "m2").
fn team(k: &[SigningKey]) -> Vec<(MembershipOp, i64)> {
    let mut ops = vec![MembershipOp::genesis(&T, &[1; 16], "admin", &k[0])];
    for (i, key) in k.iter().enumerate().skip(1) {
        let invite = SigningKey::generate(&mut OsRng);
        let member = if i == 2 {
            "m2".to_string()
        } else {
            format!("m{}", i + 1)
        };
        ops.push(MembershipOp::invite(
            &T,
            &[1; 16],
            &k[0],
            &invite.verifying_key(),
            1_000,
        ));
        // Device 3 is m2's second laptop: device 2 vouches for it.
        let voucher = (i == 2).then(|| (&[2u8; 16], &k[1]));
        ops.push(MembershipOp::join_vouched(
            &T,
            &[i as u8 + 1; 16],
            &member,
            key,
            &invite,
            voucher,
        ));
    }
    ops.into_iter().map(|o| (o, 500)).collect()
}

#[test]
fn removing_a_device_starts_an_epoch_whose_key_only_the_others_open() {
    let k = keys(4);
    let mut ops = team(&k);
    let before = Roster::replay(&T, &ops);
    assert_eq!(before.devices.len(), 4);
    let new_key = TeamKey::random();
    let remove = MembershipOp::remove(&T, &[1; 16], &k[0], &[4; 16], &before, &new_key);
    ops.push((remove, 600));
    let after = Roster::replay(&T, &ops);
    assert!(after.rejected.is_empty(), "{:?}", after.rejected);
    assert!(!after.contains(&[4; 16]) && after.devices.len() == 3);
    assert_eq!(after.epoch, 1);
    for (i, key) in k.iter().enumerate().take(3) {
        assert_eq!(after.keys_for(&T, &[i as u8 + 1; 16], key), vec![(1, new_key.clone())]);
    }
    assert!(
        after.keys_for(&T, &[4; 16], &k[3]).is_empty(),
        "the removed device gets no new key"
    );
    // What it sealed while it belonged still opens; nothing newer does.
    assert_eq!(after.key_for(&[4; 16], 0), Some(k[3].verifying_key()));
    assert_eq!(after.key_for(&[4; 16], 1), None);
    assert!(after.was_removed(k[3].verifying_key().as_bytes()));
    assert!(!after.was_removed(k[0].verifying_key().as_bytes()));
}

#[test]
fn only_the_creator_or_the_devices_own_member_may_remove_it() {
    let k = keys(4);
    let ops = team(&k);
    let r = Roster::replay(&T, &ops);
    let with = |op: MembershipOp| {
        let mut all = ops.clone();
        all.push((op, 600));
        Roster::replay(&T, &all)
    };
    // Member m4 (device 4) may not remove m2's device.
    let r1 = with(MembershipOp::remove(
        &T,
        &[4; 16],
        &k[3],
        &[2; 16],
        &r,
        &TeamKey::random(),
    ));
    assert_eq!(r1.rejected, vec![ops.len()]);
    assert!(r1.contains(&[2; 16]));
    // m2 may remove m2's other device (a lost laptop), and leave itself.
    let r2 = with(MembershipOp::remove(
        &T,
        &[2; 16],
        &k[1],
        &[3; 16],
        &r,
        &TeamKey::random(),
    ));
    assert!(r2.rejected.is_empty() && !r2.contains(&[3; 16]));
    let r3 = with(MembershipOp::remove(
        &T,
        &[4; 16],
        &k[3],
        &[4; 16],
        &r,
        &TeamKey::random(),
    ));
    assert!(r3.rejected.is_empty() && !r3.contains(&[4; 16]));
}

#[test]
fn an_admin_names_another_admin_who_may_then_remove_any_device() {
    let k = keys(4);
    let mut ops = team(&k);
    // m4 is no admin: cannot name one, nor remove m2's device.
    ops.push((MembershipOp::admin(&T, &[4; 16], &k[3], "m4"), 600));
    let r = Roster::replay(&T, &ops);
    assert_eq!(r.rejected, vec![ops.len() - 1]);
    assert!(!r.may_remove(&[4; 16], &[2; 16]));
    // The creator names m4 (the station manager); now m4 may.
    ops.push((MembershipOp::admin(&T, &[1; 16], &k[0], "m4"), 600));
    let r = Roster::replay(&T, &ops);
    assert!(r.admins.contains("m4") && r.admins.contains("admin"));
    assert!(r.may_remove(&[4; 16], &[2; 16]));
    // A forged grant (signature by another key) and a grant to someone
    // off the team change nothing.
    let MembershipOp::Admin { sig: wrong, .. } = MembershipOp::admin(&T, &[1; 16], &k[1], "m2") else {
        unreachable!()
    };
    let mut forged = MembershipOp::admin(&T, &[1; 16], &k[0], "m2");
    if let MembershipOp::Admin { sig, .. } = &mut forged {
        *sig = wrong;
    }
    ops.push((forged, 600));
    ops.push((MembershipOp::admin(&T, &[1; 16], &k[0], "stranger"), 600));
    let r = Roster::replay(&T, &ops);
    assert!(!r.admins.contains("m2") && !r.admins.contains("stranger"));
    assert_eq!(r.rejected.len(), 3);
}

#[test]
fn a_remove_made_from_an_old_roster_is_stale_and_a_forged_one_admits_nothing() {
    let k = keys(3);
    let mut ops = team(&k);
    let r = Roster::replay(&T, &ops);
    let first = MembershipOp::remove(&T, &[1; 16], &k[0], &[3; 16], &r, &TeamKey::random());
    // Made concurrently against the same roster: same epoch, lockbox for device 3.
    let second = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
    ops.push((first, 600));
    ops.push((second, 600));
    let after = Roster::replay(&T, &ops);
    assert_eq!(after.rejected, vec![ops.len() - 1]);
    assert_eq!(after.epoch, 1);
    // A lockbox swapped after signing breaks the signature.
    let r = Roster::replay(&T, &ops[..ops.len() - 1]);
    let mut forged = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
    if let MembershipOp::Remove { lockboxes, .. } = &mut forged {
        let evil = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
        let MembershipOp::Remove { lockboxes: other, .. } = evil else {
            unreachable!()
        };
        *lockboxes = other;
    }
    let mut with_forged = ops[..ops.len() - 1].to_vec();
    with_forged.push((forged, 700));
    assert_eq!(Roster::replay(&T, &with_forged).rejected, vec![with_forged.len() - 1]);
    // The last device cannot leave.
    let only = Roster::replay(&T, &ops[..1]);
    let last = MembershipOp::remove(&T, &[1; 16], &k[0], &[1; 16], &only, &TeamKey::random());
    let mut one = ops[..1].to_vec();
    one.push((last, 600));
    assert_eq!(Roster::replay(&T, &one).rejected, vec![1]);
}

/// Replays `ops` plus an invite from device 1 and `join(invite)`.
fn with_join(ops: &[(MembershipOp, i64)], k0: &SigningKey, join: impl FnOnce(&SigningKey) -> MembershipOp) -> Roster {
    let invite = SigningKey::generate(&mut OsRng);
    let mut all = ops.to_vec();
    all.push((
        MembershipOp::invite(&T, &[1; 16], k0, &invite.verifying_key(), 1_000),
        500,
    ));
    all.push((join(&invite), 500));
    Roster::replay(&T, &all)
}

#[test]
fn a_join_cannot_take_an_existing_device_or_member() {
    let k = keys(4);
    let ops = team(&k);
    let evil = SigningKey::generate(&mut OsRng);
    // As device 2 (m2's laptop): it would replace that device's key.
    let r = with_join(&ops, &k[0], |i| MembershipOp::join(&T, &[2; 16], "m2", &evil, i));
    assert_eq!(r.rejected, vec![ops.len() + 1]);
    assert_eq!(r.key(&[2; 16]), Some(k[1].verifying_key()));
    // As the creator's member id: it would be an admin.
    let r = with_join(&ops, &k[0], |i| MembershipOp::join(&T, &[9; 16], "admin", &evil, i));
    assert_eq!(r.rejected, vec![ops.len() + 1]);
    assert!(!r.contains(&[9; 16]) && !r.may_remove(&[9; 16], &[2; 16]));
    // Vouched by a device of another member (m4 for "admin"): refused.
    let r = with_join(&ops, &k[0], |i| {
        MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[4; 16], &k[3])))
    });
    assert!(!r.contains(&[9; 16]));
    // A vouch naming the admin's device but signed by another key.
    let r = with_join(&ops, &k[0], |i| {
        MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[1; 16], &k[3])))
    });
    assert!(!r.contains(&[9; 16]));
    // The admin's own second laptop, vouched by the first: admitted.
    let r = with_join(&ops, &k[0], |i| {
        MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[1; 16], &k[0])))
    });
    assert!(r.rejected.is_empty() && r.contains(&[9; 16]));
    // A removed device cannot come back under its old id.
    let mut removed = ops.clone();
    let before = Roster::replay(&T, &ops);
    removed.push((
        MembershipOp::remove(&T, &[1; 16], &k[0], &[4; 16], &before, &TeamKey::random()),
        600,
    ));
    let r = with_join(&removed, &k[0], |i| MembershipOp::join(&T, &[4; 16], "new", &evil, i));
    assert!(!r.contains(&[4; 16]) && r.removed.contains_key(&[4; 16]));
}

#[test]
fn only_admins_invite_unless_an_admin_opens_it_and_invites_last_a_week_at_most() {
    let k = keys(3);
    let mut ops = team(&k);
    let invite = SigningKey::generate(&mut OsRng);
    // m2 (device 2) is no admin.
    ops.push((
        MembershipOp::invite(&T, &[2; 16], &k[1], &invite.verifying_key(), 1_000),
        500,
    ));
    let r = Roster::replay(&T, &ops);
    assert_eq!(r.rejected, vec![ops.len() - 1]);
    assert!(!r.may_invite(&[2; 16]) && r.may_invite(&[1; 16]));
    // A non-admin cannot open invites either.
    ops.pop();
    ops.push((MembershipOp::invite_policy(&T, &[2; 16], &k[1], true), 500));
    assert_eq!(Roster::replay(&T, &ops).rejected, vec![ops.len() - 1]);
    ops.pop();
    // The admin opens it: m2 may now invite, and a newcomer joins by it.
    ops.push((MembershipOp::invite_policy(&T, &[1; 16], &k[0], true), 500));
    ops.push((
        MembershipOp::invite(&T, &[2; 16], &k[1], &invite.verifying_key(), i64::MAX),
        500,
    ));
    let newcomer = SigningKey::generate(&mut OsRng);
    let join = MembershipOp::join(&T, &[7; 16], "m7", &newcomer, &invite);
    let mut in_time = ops.clone();
    in_time.push((join.clone(), 500 + MAX_INVITE_MS));
    let r = Roster::replay(&T, &in_time);
    assert!(r.rejected.is_empty() && r.contains(&[7; 16]));
    // i64::MAX was asked for; a week and a moment later the code is dead.
    ops.push((join, 501 + MAX_INVITE_MS));
    let r = Roster::replay(&T, &ops);
    assert_eq!(r.rejected, vec![ops.len() - 1]);
}

#[test]
fn a_removed_devices_envelope_opens_only_from_before_its_removal_in_the_log() {
    let k = keys(3);
    let ops = team(&k);
    let before = Roster::replay(&T, &ops);
    let mut logged: Vec<Option<u64>> = vec![Some(0); ops.len()];
    let mut all = ops.clone();
    all.push((
        MembershipOp::remove(&T, &[1; 16], &k[0], &[3; 16], &before, &TeamKey::random()),
        600,
    ));
    logged.push(Some(40)); // the log held 40 envelopes when the relay took it
    let r = Roster::replay_logged(&T, &all, &logged);
    assert_eq!(r.key_at(&[3; 16], 0, 40), Some(k[2].verifying_key()));
    assert_eq!(r.key_at(&[3; 16], 0, 41), None, "uploaded after the removal");
    assert_eq!(r.key_at(&[2; 16], 0, 41), Some(k[1].verifying_key()));
}

#[test]
fn the_roster_is_a_hash_chain_and_an_op_made_on_another_head_is_stale() {
    let k = keys(2);
    let ops = team(&k);
    let r = Roster::replay(&T, &ops);
    assert_eq!(r.heads.len(), ops.len());
    let invite = SigningKey::generate(&mut OsRng);
    let on_head = MembershipOp::invite_on(Some(&r.head()), &T, &[1; 16], &k[0], &invite.verifying_key(), 1_000);
    let on_old = MembershipOp::invite_on(
        r.head_at(1).as_ref(),
        &T,
        &[1; 16],
        &k[0],
        &invite.verifying_key(),
        1_000,
    );
    let mut a = r.clone();
    assert!(a.apply(&T, &on_head, 500).is_ok());
    assert!(a.extends(&r) && !r.extends(&a));
    let mut b = r.clone();
    assert_eq!(b.apply(&T, &on_old, 500), Err(RosterError::Stale));
    // A prev that was not signed with the op breaks its signature.
    let mut moved = on_head.clone();
    if let MembershipOp::Invite { prev, .. } = &mut moved {
        *prev = String::new();
    }
    assert_eq!(r.clone().apply(&T, &moved, 500), Err(RosterError::BadSignature));
}

#[test]
fn a_removal_voids_invites_made_before_it() {
    let k = keys(3);
    let mut ops = team(&k[..2]);
    let invite = SigningKey::generate(&mut OsRng);
    ops.push((
        MembershipOp::invite(&T, &[1; 16], &k[0], &invite.verifying_key(), 1_000),
        500,
    ));
    let r = Roster::replay(&T, &ops);
    ops.push((
        MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random()),
        600,
    ));
    ops.push((MembershipOp::join(&T, &[9; 16], "late", &k[2], &invite), 700));
    let after = Roster::replay(&T, &ops);
    assert_eq!(after.rejected, vec![ops.len() - 1]);
    assert!(!after.contains(&[9; 16]));
}

/// `ops`, then an own-laptop invite made by `by` (device id, key) for
/// `member`, then the join `join` makes with that invite's key.
fn with_own_invite(
    ops: &[(MembershipOp, i64)],
    by: (&[u8; 16], &SigningKey),
    member: &str,
    join: impl Fn(&SigningKey) -> MembershipOp,
) -> Roster {
    let invite = SigningKey::generate(&mut OsRng);
    let head = Roster::replay(&T, ops).head();
    let mut all = ops.to_vec();
    all.push((
        MembershipOp::own_device_invite_on(Some(&head), &T, by.0, by.1, &invite.verifying_key(), 1_000, member),
        500,
    ));
    all.push((join(&invite), 500));
    Roster::replay(&T, &all)
}

#[test]
fn a_member_adds_her_own_next_laptop_and_no_one_else_can_use_it_to_be_her() {
    let k = keys(4);
    let ops = team(&k);
    let laptop = SigningKey::generate(&mut OsRng);
    // m4 (device 4, not an admin, invites closed) adds her own second laptop.
    let r = with_own_invite(&ops, (&[4; 16], &k[3]), "m4", |i| {
        MembershipOp::join(&T, &[9; 16], "m4", &laptop, i)
    });
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(r.member_of(&[9; 16]), Some("m4"));
    assert!(
        r.may_remove(&[4; 16], &[9; 16]),
        "her first laptop may remove the second"
    );

    // Attack: m4's laptop makes an own-laptop invite naming the admin.
    let r = with_own_invite(&ops, (&[4; 16], &k[3]), "admin", |i| {
        MembershipOp::join(&T, &[9; 16], "admin", &laptop, i)
    });
    assert_eq!(r.rejected, vec![ops.len(), ops.len() + 1]);
    assert!(!r.contains(&[9; 16]));

    // Attack: the holder of m4's own-laptop code joins as the admin instead.
    let r = with_own_invite(&ops, (&[4; 16], &k[3]), "m4", |i| {
        MembershipOp::join(&T, &[9; 16], "admin", &laptop, i)
    });
    assert_eq!(r.rejected, vec![ops.len() + 1]);
    assert!(!r.contains(&[9; 16]));

    // Attack: it joins as a brand-new member (a stranger's laptop, not hers).
    let r = with_own_invite(&ops, (&[4; 16], &k[3]), "m4", |i| {
        MembershipOp::join(&T, &[9; 16], "stranger", &laptop, i)
    });
    assert!(!r.contains(&[9; 16]));

    // Attack: the relay rewrites an own-laptop invite into an open one (the
    // member id is signed), or names another member in it.
    let invite = SigningKey::generate(&mut OsRng);
    let head = Roster::replay(&T, &ops).head();
    let op = MembershipOp::own_device_invite_on(Some(&head), &T, &[4; 16], &k[3], &invite.verifying_key(), 1_000, "m4");
    for forged in ["", "admin"] {
        let mut bent = op.clone();
        if let MembershipOp::Invite { for_member, .. } = &mut bent {
            *for_member = forged.into();
        }
        let mut all = ops.clone();
        all.push((bent, 500));
        all.push((MembershipOp::join(&T, &[9; 16], "m9", &laptop, &invite), 500));
        let r = Roster::replay(&T, &all);
        assert!(!r.contains(&[9; 16]), "a forged for_member={forged:?} admitted someone");
    }
}

#[test]
fn a_removal_says_why_and_the_reason_is_signed() {
    let k = keys(4);
    let ops = team(&k);
    let before = Roster::replay(&T, &ops);
    let op = MembershipOp::remove_because(&T, &[1; 16], &k[0], &[4; 16], &before, &TeamKey::random(), "退職");
    let mut all = ops.clone();
    all.push((op.clone(), 600));
    let r = Roster::replay(&T, &all);
    assert!(!r.contains(&[4; 16]));
    assert_eq!(r.removal_reasons.get(&[4; 16]).map(String::as_str), Some("退職"));
    // A relay rewriting (or dropping) the reason breaks the signature.
    for bent_reason in ["紛失", ""] {
        let mut bent = op.clone();
        if let MembershipOp::Remove { reason, .. } = &mut bent {
            *reason = bent_reason.into();
        }
        let mut all = ops.clone();
        all.push((bent, 600));
        assert!(
            Roster::replay(&T, &all).contains(&[4; 16]),
            "reason {bent_reason:?} accepted"
        );
    }
}

#[test]
fn family_join_only_on_an_admins_invite_and_never_invite_or_become_admins() {
    let k = keys(4);
    let mut ops = team(&k);
    // Invites open to all members: still, family needs an admin's invite.
    let head = Roster::replay(&T, &ops).head();
    ops.push((
        MembershipOp::invite_policy_on(Some(&head), &T, &[1; 16], &k[0], true),
        500,
    ));
    let family_key = SigningKey::generate(&mut OsRng);
    let invite = SigningKey::generate(&mut OsRng);
    let r = Roster::replay(&T, &ops);
    // m4 (not an admin) cannot make a family invite.
    let not_admin =
        MembershipOp::family_invite_on(Some(&r.head()), &T, &[4; 16], &k[3], &invite.verifying_key(), 1_000);
    let mut bad = ops.clone();
    bad.push((not_admin, 500));
    assert_eq!(Roster::replay(&T, &bad).rejected, vec![ops.len()]);
    // The admin's family invite admits the patient's daughter as family.
    ops.push((
        MembershipOp::family_invite_on(Some(&r.head()), &T, &[1; 16], &k[0], &invite.verifying_key(), 1_000),
        500,
    ));
    ops.push((MembershipOp::join(&T, &[8; 16], "daughter", &family_key, &invite), 500));
    let r = Roster::replay(&T, &ops);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert!(r.family.contains("daughter") && r.is_family_device(&[8; 16]));
    assert!(!r.is_family_device(&[4; 16]));
    // She may not invite (though members may), nor be made an admin.
    assert!(r.may_invite(&[4; 16]) && !r.may_invite(&[8; 16]));
    assert!(!r.may_make_admin(&[1; 16], "daughter"));
    let mut admin = ops.clone();
    admin.push((
        MembershipOp::admin_on(Some(&r.head()), &T, &[1; 16], &k[0], "daughter"),
        500,
    ));
    assert!(!Roster::replay(&T, &admin).admins.contains("daughter"));
    let mut invites = ops.clone();
    let other = SigningKey::generate(&mut OsRng);
    invites.push((
        MembershipOp::invite_on(
            Some(&r.head()),
            &T,
            &[8; 16],
            &family_key,
            &other.verifying_key(),
            1_000,
        ),
        500,
    ));
    assert_eq!(Roster::replay(&T, &invites).rejected, vec![ops.len()]);
    // A relay turning a member's invite into a family one (or back) breaks it.
    let plain = MembershipOp::invite_on(Some(&r.head()), &T, &[1; 16], &k[0], &other.verifying_key(), 1_000);
    let mut bent = plain.clone();
    if let MembershipOp::Invite { role, .. } = &mut bent {
        *role = FAMILY.into();
    }
    let mut forged = ops.clone();
    forged.push((bent, 500));
    assert_eq!(Roster::replay(&T, &forged).rejected, vec![ops.len()]);
}
