//! Caps on the connections a listener holds: a total, waited for before
//! the next accept (so the rest wait in the kernel's backlog, holding none
//! of the process's descriptors), and a share per client address, past
//! which a new connection is closed at once. An eighth of the total is
//! kept for addresses that hold less than [`NEWCOMER`] connections: slow
//! clients from many addresses can fill the rest, never that, so someone
//! new is still served. The web server keeps one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What an address may hold while the total runs short.
pub const NEWCOMER: usize = 2;

#[derive(Clone)]
pub struct ConnectionCaps {
    total: Arc<Semaphore>,
    /// Places kept for addresses holding less than [`NEWCOMER`].
    reserve: usize,
    per_address: Arc<PerAddress>,
    address_share: usize,
    /// Not capped per address: each stands for many clients.
    exempt: Arc<[ipnet::IpNet]>,
}

/// Room for one more connection in the total; see [`ConnectionCaps::admit`].
pub struct Room(OwnedSemaphorePermit);

/// One admitted connection; its place is given back when it is dropped.
pub struct Admitted {
    _room: OwnedSemaphorePermit,
    _address: Option<AddressSlot>,
}

impl ConnectionCaps {
    pub fn new(total: usize, address_share: usize, exempt: Vec<ipnet::IpNet>) -> Self {
        Self {
            total: Arc::new(Semaphore::new(total.max(1))),
            reserve: total / 8,
            per_address: Arc::default(),
            address_share,
            exempt: exempt.into(),
        }
    }

    /// Waits until the total has room.
    pub async fn room(&self) -> Room {
        Room(self.total.clone().acquire_owned().await.expect("the semaphore is never closed"))
    }

    /// Admits a connection from `ip` into `room`, unless its address holds
    /// its share already, or the total is down to its reserve and the
    /// address is no newcomer.
    pub fn admit(&self, room: Room, ip: IpAddr) -> Option<Admitted> {
        let ip = ip.to_canonical();
        let address = if self.exempt.iter().any(|net| net.contains(&ip)) {
            None
        } else {
            let short = self.total.available_permits() < self.reserve;
            let share = if short { self.address_share.min(NEWCOMER) } else { self.address_share };
            Some(PerAddress::take(&self.per_address, ip, share)?)
        };
        Some(Admitted { _room: room.0, _address: address })
    }
}

/// Connections open per client address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its address; uncounted when dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    fn take(table: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<AddressSlot> {
        let mut map = table.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.entry(ip).or_insert(0);
        if *open >= cap {
            if *open == 0 {
                map.remove(&ip);
            }
            return None;
        }
        *open += 1;
        Some(AddressSlot { table: table.clone(), ip })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// The process's limit on open files (`ulimit -n`), after raising the soft
/// limit to the hard one (the default soft limit, 1024, is small for a
/// server).
pub fn raise_open_files_limit() -> Option<u64> {
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
    rlimit::increase_nofile_limit(hard).ok()
}

/// The process's limit on open files now.
pub fn open_files_limit() -> Option<u64> {
    rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _)| soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_holds_at_most_its_share_and_gets_it_back() {
        let caps = ConnectionCaps::new(10, 3, vec!["10.0.0.0/8".parse().unwrap()]);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(caps.admit(caps.room().await, ip).unwrap());
        }
        assert!(caps.admit(caps.room().await, ip).is_none());
        assert!(caps.admit(caps.room().await, "192.0.2.8".parse().unwrap()).is_some(), "others are not affected");
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert!(caps.admit(caps.room().await, mapped).is_none(), "the same address written as IPv6");
        for _ in 0..5 {
            held.push(caps.admit(caps.room().await, "10.1.2.3".parse().unwrap()).unwrap());
        }
        drop(held);
        assert!(caps.admit(caps.room().await, ip).is_some());
        assert_eq!(caps.per_address.0.lock().unwrap().len(), 0, "dropped slots leave no entry behind");
    }

    #[tokio::test]
    async fn the_last_eighth_is_kept_for_newcomers() {
        let caps = ConnectionCaps::new(16, 10, Vec::new());
        let (a, b, c): (IpAddr, IpAddr, IpAddr) =
            ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap(), "192.0.2.3".parse().unwrap());
        let mut held = Vec::new();
        while let Some(admitted) = caps.admit(caps.room().await, a) {
            held.push(admitted);
        }
        assert_eq!(held.len(), 10, "an address's share");
        while let Some(admitted) = caps.admit(caps.room().await, b) {
            held.push(admitted);
        }
        assert_eq!(held.len(), 14, "the others stop short of the reserve");
        for _ in 0..NEWCOMER {
            held.push(caps.admit(caps.room().await, c).expect("a newcomer is served from the reserve"));
        }
        assert_eq!(caps.total.available_permits(), 0);
    }

    #[tokio::test]
    async fn the_total_waits_for_room() {
        let caps = ConnectionCaps::new(2, 10, Vec::new());
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let a = caps.admit(caps.room().await, ip).unwrap();
        let _b = caps.admit(caps.room().await, ip).unwrap();
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), caps.room()).await;
        assert!(waiting.is_err(), "no room while two are held");
        drop(a);
        assert!(tokio::time::timeout(std::time::Duration::from_millis(50), caps.room()).await.is_ok());
    }
}
