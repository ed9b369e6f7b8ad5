# nightshift exec server: runs in a machine as root, one per machine, driven over stdin/stdout.
# Frames both ways: u32 length (big-endian) of what follows, u8 type, u32 exec id, payload.
# In:  X exec (payload: fields u32 length + bytes: user, workdir, has-stdin, stdin, env count,
#      env "K=V"..., argv...), K kill (the exec's whole process group).
# Out: R ready, O stdout chunk, E stderr chunk, X exit ("code signal oom"), F failed to start.
# End of stdin kills every running command's process group and exits.
use strict;
use warnings;
use POSIX ();

$0 = 'nightshift-execd';

binmode STDIN;
binmode STDOUT;
$SIG{PIPE} = 'IGNORE';
pipe(my $sigr, my $sigw) or die "pipe: $!";
nonblock($sigr);
nonblock($sigw);
$SIG{CHLD} = sub { syswrite($sigw, 'c') };
my %base = %ENV;
delete $base{HOME};
my (%ex, %byfd, %bypid, %users);
my $in = '';

sub nonblock {
    my $fh = shift;
    my $fl = fcntl($fh, POSIX::F_GETFL(), 0);
    fcntl($fh, POSIX::F_SETFL(), $fl | POSIX::O_NONBLOCK());
}

sub put {
    my ($t, $id, $data) = @_;
    my $f = pack('NaN', 5 + length($data), $t, $id) . $data;
    my $o = 0;
    while ($o < length $f) {
        my $n = syswrite(STDOUT, $f, length($f) - $o, $o);
        if (!defined $n) {
            next if $!{EINTR} || $!{EAGAIN};
            finish();
        }
        $o += $n;
    }
}

sub finish {
    kill('KILL', -$_->{pid}) for values %ex;
    POSIX::_exit(0);
}

sub oom {
    for my $f ('/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control') {
        open(my $h, '<', $f) or next;
        while (<$h>) {
            return $1 if /^oom_kill (\d+)/;
        }
    }
    return 'none';
}

# [uid, gid, "gid supplementary...", home] of "name", "uid", "name:group" or "uid:gid"
sub who {
    my $spec = shift;
    return $users{$spec} if $users{$spec};
    my ($u, $g) = split(/:/, $spec, 2);
    my @pw = $u =~ /^\d+$/ ? getpwuid($u) : getpwnam($u);
    my ($uid, $gid, $home, $name);
    if (@pw) {
        ($name, $uid, $gid, $home) = ($pw[0], $pw[2], $pw[3], $pw[7]);
    } elsif ($u =~ /^\d+$/) {
        ($uid, $gid, $home) = ($u, 0, '/');
    } else {
        die "unable to find user $u: no matching entries in passwd file\n";
    }
    if (defined $g && $g ne '') {
        if ($g =~ /^\d+$/) {
            $gid = $g;
        } else {
            my @gr = getgrnam($g);
            die "unable to find group $g: no matching entries in group file\n" unless @gr;
            $gid = $gr[2];
        }
    }
    my @groups = ($gid);
    if (defined $name) {
        setgrent();
        while (my @gr = getgrent()) {
            push @groups, $gr[2] if $gr[2] != $gid && grep { $_ eq $name } split(/ /, $gr[3]);
        }
        endgrent();
    }
    return $users{$spec} = [$uid, $gid, join(' ', @groups), $home];
}

sub start_exec {
    my ($id, $body) = @_;
    my @f;
    my $o = 0;
    while ($o + 4 <= length $body) {
        my $l = unpack('N', substr($body, $o, 4));
        push @f, substr($body, $o + 4, $l);
        $o += 4 + $l;
    }
    my ($user, $wd, $hasin, $stdin, $nenv) = splice(@f, 0, 5);
    my @env = splice(@f, 0, $nenv);
    my @argv = @f;
    my $w = eval { who($user) };
    if (!$w) {
        # like the engine's exec: exit 126 with the reason
        put('E', $id, "$@");
        put('X', $id, '126 0 0');
        return;
    }
    my $infh;
    if ($hasin eq '1') {
        if (!open($infh, '+>', undef)) {
            put('F', $id, "could not buffer stdin: $!");
            return;
        }
        binmode $infh;
        print $infh $stdin;
        $infh->flush();
        seek($infh, 0, 0);
    } else {
        open($infh, '<', '/dev/null') or die "/dev/null: $!";
    }
    pipe(my $or, my $ow) or do { put('F', $id, "pipe: $!"); return };
    pipe(my $er, my $ew) or do { put('F', $id, "pipe: $!"); return };
    my $before = oom();
    my $pid = fork();
    if (!defined $pid) {
        put('F', $id, "fork: $!");
        return;
    }
    if ($pid == 0) {
        $SIG{CHLD} = 'DEFAULT';
        $SIG{PIPE} = 'DEFAULT';
        POSIX::setsid();
        POSIX::dup2(fileno($infh), 0);
        POSIX::dup2(fileno($ow), 1);
        POSIX::dup2(fileno($ew), 2);
        my ($uid, $gid, $groups, $home) = @$w;
        $) = "$gid $groups";
        POSIX::setgid($gid);
        POSIX::setuid($uid);
        if ($< != $uid || $> != $uid || (split(/ /, $())[0] != $gid) {
            print STDERR "nightshift-exec: could not switch to user $user: $!\n";
            POSIX::_exit(126);
        }
        if ($wd ne '' && !chdir($wd)) {
            print STDERR "nightshift-exec: cannot change to working directory $wd: $!\n";
            POSIX::_exit(126);
        }
        %ENV = (%base, HOME => $home);
        for (@env) {
            my ($k, $v) = split(/=/, $_, 2);
            $ENV{$k} = $v;
        }
        { exec { $argv[0] } @argv; }
        my $err = $!;
        my $missing = $!{ENOENT};
        print STDERR "nightshift-exec: $argv[0]: $err\n";
        POSIX::_exit($missing ? 127 : 126);
    }
    close $ow;
    close $ew;
    close $infh;
    nonblock($or);
    nonblock($er);
    my $e = { id => $id, pid => $pid, oom => $before, open => 2 };
    $ex{$id} = $e;
    $bypid{$pid} = $e;
    $byfd{fileno $or} = [$e, 'O', $or];
    $byfd{fileno $er} = [$e, 'E', $er];
}

sub kill_exec {
    my $e = $ex{shift()} or return;
    $e->{killed} = 1;
    kill('KILL', -$e->{pid});
    # before its setsid the child leads no group yet, and has no children: kill it alone
    kill('KILL', $e->{pid}) unless defined $e->{status};
    reap();
}

sub reap {
    while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
        my $st = $?;
        my $e = delete $bypid{$pid} or next;
        $e->{status} = $st;
        my $code = ($st & 127) ? 128 + ($st & 127) : $st >> 8;
        $e->{oomed} = ($code == 137 && oom() ne $e->{oom}) ? 1 : 0;
        kill('KILL', -$pid) if $e->{killed};
        done($e);
    }
}

sub done {
    my $e = shift;
    return unless defined $e->{status} && $e->{open} == 0;
    my $st = $e->{status};
    my $sig = $st & 127;
    my $code = $sig ? 128 + $sig : $st >> 8;
    delete $ex{$e->{id}};
    put('X', $e->{id}, "$code $sig $e->{oomed}");
}

sub parse {
    while (length($in) >= 4) {
        my $l = unpack('N', $in);
        last if length($in) < 4 + $l;
        my ($t, $id) = unpack('aN', substr($in, 4, 5));
        my $body = substr($in, 9, $l - 5);
        substr($in, 0, 4 + $l) = '';
        if ($t eq 'X') {
            start_exec($id, $body);
        } elsif ($t eq 'K') {
            kill_exec($id);
        }
    }
}

put('R', 0, "nightshift-execd 1 $$");
while (1) {
    my $rin = '';
    vec($rin, 0, 1) = 1;
    vec($rin, fileno($sigr), 1) = 1;
    vec($rin, $_, 1) = 1 for keys %byfd;
    # Perl runs the SIGCHLD handler (which writes to the self-pipe) only at a safe point: a
    # child that exits between the last such point and the select syscall wakes nothing. When an
    # exec's output is closed but its process is not reaped yet, wait briefly and reap anyway.
    my $unreaped = grep { $_->{open} == 0 && !defined $_->{status} } values %ex;
    my $n = select(my $rout = $rin, undef, undef, $unreaped ? 0.02 : undef);
    if ($n < 0) {
        next if $!{EINTR};
        die "select: $!";
    }
    if (vec($rout, fileno($sigr), 1)) {
        sysread($sigr, my $junk, 512);
    }
    reap();
    for my $fd (keys %byfd) {
        next unless vec($rout, $fd, 1);
        my ($e, $t, $fh) = @{$byfd{$fd}};
        my $r = sysread($fh, my $buf, 65536);
        if (!defined $r) {
            next if $!{EAGAIN} || $!{EINTR};
            $r = 0;
        }
        if ($r > 0) {
            put($t, $e->{id}, $buf);
        } else {
            delete $byfd{$fd};
            close $fh;
            $e->{open}--;
            done($e);
        }
    }
    if (vec($rout, 0, 1)) {
        my $r = sysread(STDIN, $in, 65536, length $in);
        if (!defined $r) {
            next if $!{EINTR} || $!{EAGAIN};
            finish();
        }
        finish() if $r == 0;
        parse();
    }
}
