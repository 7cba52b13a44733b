<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID">
<context>
    <name>AllDayPanel</name>
    <message>
        <source>All day</source>
        <translation>Sepanjang hari</translation>
    </message>
    <message>
        <source>Nothing to make</source>
        <translation>Tidak ada yang perlu dibuat</translation>
    </message>
    <message>
        <source>Allergens:</source>
        <translation>Alergen:</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Tutup</translation>
    </message>
</context>
<context>
    <name>BoardScreen</name>
    <message>
        <source>Preparing</source>
        <translation>Sedang disiapkan</translation>
    </message>
    <message>
        <source>Ready for pick-up</source>
        <translation>Siap diambil</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <source>Out of stock</source>
        <translation>Stok habis</translation>
    </message>
    <message>
        <source>Customer cancelled</source>
        <translation>Dibatalkan pelanggan</translation>
    </message>
    <message>
        <source>Duplicate order</source>
        <translation>Pesanan ganda</translation>
    </message>
    <message>
        <source>Stall closing</source>
        <translation>Gerai tutup</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Batalkan pesanan</translation>
    </message>
    <message>
        <source>Why is order %1 cancelled?</source>
        <translation>Mengapa pesanan %1 dibatalkan?</translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation>Alasan (wajib)</translation>
    </message>
    <message>
        <source>Keep order</source>
        <translation>Jangan batalkan</translation>
    </message>
</context>
<context>
    <name>CashierScreen</name>
    <message>
        <source>No payments yet this shift</source>
        <translation>Belum ada pembayaran di shift ini</translation>
    </message>
    <message>
        <source>Net %1</source>
        <translation>Bersih %1</translation>
    </message>
    <message numerus="yes">
        <source>%n payment(s)</source>
        <translation>
            <numerusform>%n pembayaran</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refund(s)</source>
        <translation>
            <numerusform>%n pengembalian dana</numerusform>
        </translation>
    </message>
    <message>
        <source>Printing to %1…</source>
        <translation>Mencetak ke %1…</translation>
    </message>
    <message>
        <source>Saving %1…</source>
        <translation>Menyimpan %1…</translation>
    </message>
    <message>
        <source>Order %1 refunded</source>
        <translation>Pesanan %1 dikembalikan dananya</translation>
    </message>
    <message>
        <source>Transactions this shift</source>
        <translation>Transaksi shift ini</translation>
    </message>
</context>
<context>
    <name>ConnectionBadge</name>
    <message>
        <source>Live</source>
        <translation>Terhubung</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Menghubungkan…</translation>
    </message>
    <message>
        <source>Offline since %1</source>
        <translation>Terputus sejak %1</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Terputus</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Menyambung ulang dalam %1 dtk</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Menyambung ulang…</translation>
    </message>
    <message>
        <source>polling</source>
        <translation>polling</translation>
    </message>
</context>
<context>
    <name>ExpoScreen</name>
    <message>
        <source>Order %1 is not all done: press again within 3 s to bump it anyway</source>
        <translation>Pesanan %1 belum selesai semua: tekan lagi dalam 3 detik untuk tetap menandai siap</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Mengirim…</translation>
    </message>
    <message>
        <source>Order %1 was not changed: %2</source>
        <translation>Pesanan %1 tidak diubah: %2</translation>
    </message>
    <message>
        <source>Offline: saved, will be sent when the connection is back</source>
        <translation>Offline: disimpan, dikirim saat koneksi kembali</translation>
    </message>
    <message>
        <source>Open orders (%1)</source>
        <translation>Pesanan terbuka (%1)</translation>
    </message>
    <message>
        <source>Waiting for pick-up (%1)</source>
        <translation>Menunggu diambil (%1)</translation>
    </message>
    <message>
        <source>↑↓ select · ←→ area · Enter bump · Shift+Enter bump anyway</source>
        <translation>↑↓ pilih · ←→ area · Enter tandai · Shift+Enter tetap tandai</translation>
    </message>
    <message>
        <source>No open orders</source>
        <translation>Tidak ada pesanan terbuka</translation>
    </message>
    <message>
        <source>Nobody waiting</source>
        <translation>Tidak ada yang menunggu</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message numerus="yes">
        <source>%n open order(s)</source>
        <translation>
            <numerusform>%n pesanan terbuka</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) hidden by filter</source>
        <translation>
            <numerusform>%n pesanan disembunyikan oleh filter</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KitchenCard</name>
    <message>
        <source>NEW</source>
        <translation>BARU</translation>
    </message>
    <message>
        <source>COOKING</source>
        <translation>DIMASAK</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>SIAP</translation>
    </message>
    <message>
        <source>DONE</source>
        <translation>SELESAI</translation>
    </message>
    <message>
        <source>CANCELLED</source>
        <translation>BATAL</translation>
    </message>
    <message>
        <source>Table %1</source>
        <translation>Meja %1</translation>
    </message>
    <message>
        <source>VOID: %1</source>
        <translation>BATAL: %1</translation>
    </message>
    <message>
        <source>ADD-ON</source>
        <translation>TAMBAHAN</translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation>Alasan: %1</translation>
    </message>
    <message>
        <source>RUSH</source>
        <translation>SEGERA</translation>
    </message>
    <message>
        <source>cont.</source>
        <translation>lanj.</translation>
    </message>
</context>
<context>
    <name>KitchenScreen</name>
    <message>
        <source>Recall last (R)</source>
        <translation>Panggil ulang (R)</translation>
    </message>
    <message>
        <source>Stations: %1</source>
        <translation>Stasiun: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) for other stations hidden</source>
        <translation>
            <numerusform>%n pesanan untuk stasiun lain disembunyikan</numerusform>
        </translation>
    </message>
    <message>
        <source>page %1 of %2</source>
        <translation>halaman %1 dari %2</translation>
    </message>
</context>
<context>
    <name>LaterStrip</name>
    <message>
        <source>Scheduled order %1 is due: start it now (wanted %2)</source>
        <translation>Pesanan terjadwal %1 tiba waktunya: mulai sekarang (diminta %2)</translation>
    </message>
    <message>
        <source>Later:</source>
        <translation>Nanti:</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Kitchen</source>
        <translation>Dapur</translation>
    </message>
    <message>
        <source>Pick-up board</source>
        <translation>Papan pengambilan</translation>
    </message>
    <message>
        <source>Counter %1</source>
        <translation>Kasir %1</translation>
    </message>
    <message>
        <source>Stall %1</source>
        <translation>Gerai %1</translation>
    </message>
    <message>
        <source>User %1</source>
        <translation>Pengguna %1</translation>
    </message>
    <message>
        <source>New order %1</source>
        <translation>Pesanan baru %1</translation>
    </message>
    <message>
        <source>Order %1 cancelled</source>
        <translation>Pesanan %1 dibatalkan</translation>
    </message>
    <message>
        <source>%1 picked up</source>
        <translation>%1 sudah diambil</translation>
    </message>
    <message>
        <source>Kiosk — %1</source>
        <translation>Kiosk — %1</translation>
    </message>
    <message>
        <source>Offline: order %1 will be updated when the connection is back</source>
        <translation>Terputus: pesanan %1 akan diperbarui saat koneksi kembali</translation>
    </message>
    <message>
        <source>Nothing to recall: no order bumped on this screen is waiting</source>
        <translation>Tidak ada yang bisa dipanggil ulang: tidak ada pesanan yang diselesaikan di layar ini</translation>
    </message>
    <message>
        <source>Order %1 was not changed: %2</source>
        <translation>Pesanan %1 tidak diubah: %2</translation>
    </message>
    <message>
        <source>Refund %1: %2</source>
        <translation>Pengembalian dana %1: %2</translation>
    </message>
    <message>
        <source>Paid %1: %2</source>
        <translation>Dibayar %1: %2</translation>
    </message>
    <message>
        <source>Notification: %1</source>
        <translation>Notifikasi: %1</translation>
    </message>
    <message>
        <source>Sound off</source>
        <translation>Suara mati</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>Suara hidup</translation>
    </message>
</context>
<context>
    <name>NumberGrid</name>
    <message numerus="yes">
        <source>+%n more</source>
        <translation>
            <numerusform>+%n lagi</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrderStatus</name>
    <message>
        <source>New</source>
        <translation>Baru</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>Diproses</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Siap</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Batal</translation>
    </message>
</context>
<context>
    <name>OrderType</name>
    <message>
        <source>Dine in</source>
        <translation>Makan di tempat</translation>
    </message>
    <message>
        <source>Takeaway</source>
        <translation>Bawa pulang</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Antar</translation>
    </message>
</context>
<context>
    <name>PairingScreen</name>
    <message>
        <source>Kiosk: pair this screen</source>
        <translation>Kiosk: pasangkan layar ini</translation>
    </message>
    <message>
        <source>Pair this screen</source>
        <translation>Pasangkan layar ini</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <source>Waiting for a code from the server…</source>
        <translation>Menunggu kode dari server…</translation>
    </message>
    <message>
        <source>Approved. Starting the screen…</source>
        <translation>Disetujui. Layar dimulai…</translation>
    </message>
    <message>
        <source>Approve this code in the admin console, or on the server: kiosk-server devices approve %1 --name NAME --rooms ROOMS</source>
        <translation>Setujui kode ini di konsol admin, atau di server: kiosk-server devices approve %1 --name NAMA --rooms RUANG</translation>
    </message>
    <message>
        <source>Pairing failed: %1</source>
        <translation>Pemasangan gagal: %1</translation>
    </message>
    <message>
        <source>Cannot reach the server; trying again in %1 s</source>
        <translation>Server tidak terjangkau; mencoba lagi dalam %1 dtk</translation>
    </message>
    <message>
        <source>Waiting for approval…</source>
        <translation>Menunggu persetujuan…</translation>
    </message>
</context>
<context>
    <name>PaymentsModel</name>
    <message>
        <source>Time</source>
        <translation>Waktu</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pesanan</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Metode</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Jumlah</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>dikembalikan</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>lunas</translation>
    </message>
</context>
<context>
    <name>PrepPanel</name>
    <message>
        <source>Today: no order ready yet</source>
        <translation>Hari ini: belum ada pesanan siap</translation>
    </message>
    <message numerus="yes">
        <source>Today: avg %1 · p90 %2 · %n order(s) to ready</source>
        <translation>
            <numerusform>Hari ini: rata-rata %1 · p90 %2 · %n pesanan sampai siap</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintService</name>
    <message>
        <source>Saved as PDF: %1</source>
        <translation>Disimpan sebagai PDF: %1</translation>
    </message>
    <message>
        <source>Printed on %1</source>
        <translation>Dicetak di %1</translation>
    </message>
    <message>
        <source>The PDF was not saved: %1</source>
        <translation>PDF tidak tersimpan: %1</translation>
    </message>
    <message>
        <source>Printing failed: %1</source>
        <translation>Gagal mencetak: %1</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>Cash</source>
        <translation>Tunai</translation>
    </message>
    <message>
        <source>QRIS</source>
        <translation>QRIS</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Kartu</translation>
    </message>
    <message>
        <source>E-wallet</source>
        <translation>Dompet digital</translation>
    </message>
    <message>
        <source>Bank transfer</source>
        <translation>Transfer bank</translation>
    </message>
    <message>
        <source>REFUND SLIP</source>
        <translation>BUKTI PENGEMBALIAN DANA</translation>
    </message>
    <message>
        <source>RECEIPT</source>
        <translation>STRUK</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pesanan</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Pelanggan</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Kasir</translation>
    </message>
    <message>
        <source>Cashier %1</source>
        <translation>Kasir %1</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Waktu</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Dikembalikan</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Dibayar</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Kembalian</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Metode</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referensi</translation>
    </message>
    <message>
        <source>Refund processed</source>
        <translation>Pengembalian dana diproses</translation>
    </message>
    <message>
        <source>Thank you!</source>
        <translation>Terima kasih!</translation>
    </message>
</context>
<context>
    <name>ReceiptView</name>
    <message>
        <source>Print</source>
        <translation>Cetak</translation>
    </message>
    <message>
        <source>Save PDF</source>
        <translation>Simpan PDF</translation>
    </message>
    <message>
        <source>Refund…</source>
        <translation>Kembalikan dana…</translation>
    </message>
    <message>
        <source>Waiting for payments…</source>
        <translation>Menunggu pembayaran…</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Pengembalian dana</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Kembalian</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Sending the refund to the server…</source>
        <translation>Mengirim pengembalian dana ke server…</translation>
    </message>
    <message>
        <source>Refund payment</source>
        <translation>Kembalikan dana pembayaran</translation>
    </message>
    <message>
        <source>Refund the payment of order %1?</source>
        <translation>Kembalikan dana pembayaran pesanan %1?</translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation>Alasan (wajib)</translation>
    </message>
    <message>
        <source>Refund %1</source>
        <translation>Kembalikan %1</translation>
    </message>
    <message>
        <source>Don&apos;t refund</source>
        <translation>Jangan kembalikan</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>The server did not understand the request. Update this screen, or tell the admin.</source>
        <translation>Server tidak memahami permintaan ini. Perbarui layar ini, atau beri tahu admin.</translation>
    </message>
    <message>
        <source>The server cannot save anything right now (its database). Tell the admin.</source>
        <translation>Server tidak bisa menyimpan apa pun saat ini (basis datanya). Beri tahu admin.</translation>
    </message>
    <message>
        <source>The server does not know this device token, or it was revoked. Ask the admin for a new one.</source>
        <translation>Server tidak mengenal token perangkat ini, atau token sudah dicabut. Minta token baru kepada admin.</translation>
    </message>
    <message>
        <source>This device may not use this room. Ask the admin for a token that includes it.</source>
        <translation>Perangkat ini tidak boleh memakai ruang ini. Minta admin token yang mencakup ruang ini.</translation>
    </message>
    <message>
        <source>That is not a room name. Use display, kasir-N (a counter) or tenant-N (a stall).</source>
        <translation>Itu bukan nama ruang. Gunakan display, kasir-N (kasir) atau tenant-N (stan).</translation>
    </message>
    <message>
        <source>The server does not have this order (any more).</source>
        <translation>Server tidak (lagi) memiliki pesanan ini.</translation>
    </message>
    <message>
        <source>This order backend does not take that action from a screen. Do it on the backend itself.</source>
        <translation>Backend pesanan ini tidak menerima tindakan itu dari layar. Lakukan di backend itu sendiri.</translation>
    </message>
    <message>
        <source>The server failed to answer. Try again; if it goes on, tell the admin.</source>
        <translation>Server gagal menjawab. Coba lagi; jika terus terjadi, beri tahu admin.</translation>
    </message>
    <message>
        <source>The server&apos;s disk is full, so nothing was saved. Tell the admin to free some space.</source>
        <translation>Disk server penuh, jadi tidak ada yang tersimpan. Minta admin mengosongkan sebagian ruang.</translation>
    </message>
    <message>
        <source>The server is restarting, so nothing was saved. Try again in a minute.</source>
        <translation>Server sedang dimulai ulang, jadi tidak ada yang disimpan. Coba lagi sebentar lagi.</translation>
    </message>
    <message>
        <source>The server is busy with this screen&apos;s reloads; the screen tries again by itself shortly.</source>
        <translation>Server sedang sibuk memuat ulang data layar ini; layar akan mencoba lagi sendiri sebentar lagi.</translation>
    </message>
    <message>
        <source>The server refuses more connections from this network address. Tell the admin.</source>
        <translation>Server menolak koneksi tambahan dari alamat jaringan ini. Beri tahu admin.</translation>
    </message>
    <message>
        <source>Too many wrong device tokens came from this network address. Wait a minute, then check the token with the admin.</source>
        <translation>Terlalu banyak token perangkat yang salah dari alamat jaringan ini. Tunggu sebentar, lalu periksa token bersama admin.</translation>
    </message>
    <message>
        <source>This request is too large for the server. Tell the admin.</source>
        <translation>Permintaan ini terlalu besar untuk server. Beri tahu admin.</translation>
    </message>
    <message>
        <source>This order came from the server with an ID this screen cannot use, so nothing was sent. Tell the admin.</source>
        <translation>Pesanan ini datang dari server dengan ID yang tidak bisa dipakai layar ini, jadi tidak ada yang dikirim. Beri tahu admin.</translation>
    </message>
    <message>
        <source>This payment was already refunded; nothing more is owed.</source>
        <translation>Dana pembayaran ini sudah dikembalikan; tidak ada lagi yang harus dibayar.</translation>
    </message>
    <message>
        <source>The server does not have this payment, or it was taken at another counter.</source>
        <translation>Server tidak memiliki pembayaran ini, atau pembayaran ini diterima di kasir lain.</translation>
    </message>
    <message>
        <source>This device may not refund this payment: only its own counter or the admin may.</source>
        <translation>Perangkat ini tidak boleh mengembalikan dana pembayaran ini: hanya kasirnya sendiri atau admin.</translation>
    </message>
    <message>
        <source>A refund needs the connection to the server; try again when it is back.</source>
        <translation>Pengembalian dana memerlukan koneksi ke server; coba lagi setelah tersambung.</translation>
    </message>
    <message>
        <source>The server did not answer, so the refund is not confirmed: do not hand the money back yet. Try again; it is never refunded twice.</source>
        <translation>Server tidak menjawab, jadi pengembalian dana belum pasti: jangan serahkan uangnya dulu. Coba lagi; dana tidak akan dikembalikan dua kali.</translation>
    </message>
    <message>
        <source>A refund needs a reason.</source>
        <translation>Pengembalian dana memerlukan alasan.</translation>
    </message>
    <message>
        <source>it has already moved on; the screen shows where it is now.</source>
        <translation>statusnya sudah berubah; layar menunjukkan statusnya sekarang.</translation>
    </message>
    <message>
        <source>it is no longer on this screen.</source>
        <translation>pesanan ini sudah tidak ada di layar ini.</translation>
    </message>
    <message>
        <source>the server no longer has it.</source>
        <translation>server sudah tidak memilikinya.</translation>
    </message>
    <message>
        <source>it was completed too long ago to be recalled.</source>
        <translation>pesanan ini selesai terlalu lama untuk dipanggil ulang.</translation>
    </message>
    <message>
        <source>it is not ready yet.</source>
        <translation>pesanan ini belum siap.</translation>
    </message>
    <message>
        <source>a cancel needs a reason.</source>
        <translation>pembatalan memerlukan alasan.</translation>
    </message>
</context>
<context>
    <name>RowList</name>
    <message>
        <source>other</source>
        <translation>lainnya</translation>
    </message>
    <message>
        <source>table %1</source>
        <translation>meja %1</translation>
    </message>
    <message>
        <source>Hand out</source>
        <translation>Serahkan</translation>
    </message>
    <message>
        <source>Not all done — again to bump</source>
        <translation>Belum selesai — tekan lagi untuk menandai</translation>
    </message>
    <message>
        <source>All done — bump</source>
        <translation>Selesai semua — tandai</translation>
    </message>
    <message>
        <source>RUSH</source>
        <translation>SEGERA</translation>
    </message>
    <message numerus="yes">
        <source>▼ %n more</source>
        <translation>
            <numerusform>▼ %n lagi</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>cannot reach server at %1: %2</source>
        <translation>server %1 tidak dapat dihubungi: %2</translation>
    </message>
    <message>
        <source>connected to %1 as room %2</source>
        <translation>terhubung ke %1 sebagai ruang %2</translation>
    </message>
    <message>
        <source>token not accepted by %1: %2</source>
        <translation>token ditolak oleh %1: %2</translation>
    </message>
    <message>
        <source>this token may not join room %1: %2</source>
        <translation>token ini tidak boleh masuk ruang %1: %2</translation>
    </message>
    <message>
        <source>server at %1 answered HTTP %2: %3</source>
        <translation>server %1 menjawab HTTP %2: %3</translation>
    </message>
    <message>
        <source>connection refused or host unknown (is the server running and the address right?)</source>
        <translation>koneksi ditolak atau host tidak dikenal (apakah server berjalan dan alamatnya benar?)</translation>
    </message>
    <message>
        <source>no answer in time (firewall, or wrong address?)</source>
        <translation>tidak ada jawaban tepat waktu (firewall, atau alamat salah?)</translation>
    </message>
    <message>
        <source>Please fill in: %1</source>
        <translation>Harap isi: %1</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Memeriksa %1…</translation>
    </message>
    <message>
        <source>Cannot save the settings (%1). Check the disk and its permissions.</source>
        <translation>Pengaturan tidak dapat disimpan (%1). Periksa disk dan izinnya.</translation>
    </message>
    <message>
        <source>an address such as http://192.168.1.10:5000</source>
        <translation>alamat seperti http://192.168.1.10:5000</translation>
    </message>
    <message>
        <source>display, kasir-N (a counter) or tenant-N (a stall)</source>
        <translation>display, kasir-N (kasir) atau tenant-N (stan)</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1 tidak valid.</translation>
    </message>
    <message>
        <source>%1 is not valid: use %2.</source>
        <translation>%1 tidak valid: gunakan %2.</translation>
    </message>
    <message>
        <source>Kiosk setup</source>
        <translation>Pengaturan kiosk</translation>
    </message>
    <message>
        <source>Connect this screen to the order server. The settings are checked with the server before they are saved.</source>
        <translation>Hubungkan layar ini ke server pesanan. Pengaturan diperiksa dengan server sebelum disimpan.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Alamat server</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Ruang</translation>
    </message>
    <message>
        <source>Device token</source>
        <translation>Token perangkat</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Bahasa</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Tampilkan</translation>
    </message>
    <message>
        <source>Check and save</source>
        <translation>Periksa dan simpan</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Keluar</translation>
    </message>
</context>
<context>
    <name>TenantScreen</name>
    <message>
        <source>Sending…</source>
        <translation>Mengirim…</translation>
    </message>
    <message>
        <source>Offline: saved, will be sent when the connection is back</source>
        <translation>Terputus: disimpan, akan dikirim saat koneksi kembali</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>Ditolak: %1</translation>
    </message>
    <message>
        <source>%1 picked up</source>
        <translation>%1 sudah diambil</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Terima</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Siap</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>Cancel…</source>
        <translation>Batal…</translation>
    </message>
    <message numerus="yes">
        <source>Orders (%n open)</source>
        <translation>
            <numerusform>Pesanan (%n terbuka)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) of other stalls hidden</source>
        <translation>
            <numerusform>%n pesanan gerai lain disembunyikan</numerusform>
        </translation>
    </message>
    <message>
        <source>Pick-ups (QR)</source>
        <translation>Pengambilan (QR)</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Pembayaran</translation>
    </message>
</context>
<context>
    <name>ToastStrip</name>
    <message>
        <source>+%1 more</source>
        <translation>+%1 lainnya</translation>
    </message>
</context>
<context>
    <name>TotalsPanel</name>
    <message>
        <source>Shift totals</source>
        <translation>Total shift</translation>
    </message>
    <message numerus="yes">
        <source>Refunds (%n)</source>
        <translation>
            <numerusform>Pengembalian dana (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Net total (%n payment(s))</source>
        <translation>
            <numerusform>Total bersih (%n pembayaran)</numerusform>
        </translation>
    </message>
</context>
</TS>
