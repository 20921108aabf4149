package dev.burst.internal.scheduler;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;

/**
 * A set of tasks in insertion order, small first: a task's dependents, waiters and missing inputs
 * are nearly always one or two, and a {@link LinkedHashSet} costs about 150 bytes even then (its
 * map, table and entries), which was most of a million-task tree's heap. Up to {@link #SMALL}
 * tasks live in an array searched by identity (tasks are equal only to themselves); past that, in a
 * {@link LinkedHashSet}, so a task that a hundred thousand others depend on costs O(1) per lookup.
 * Iteration order is insertion order either way, which keeps the simulation's runs reproducible.
 */
final class TaskSet extends AbstractSet<SchedulerTask> {
    static final int SMALL = 8;

    private SchedulerTask[] items = new SchedulerTask[2];
    private int size;
    /** Once past {@link #SMALL}: the tasks, and {@code items} is null. */
    private LinkedHashSet<SchedulerTask> big;
    private int modifications;

    @Override
    public boolean add(SchedulerTask t) {
        if (big != null) {
            return big.add(t);
        }
        if (indexOf(t) >= 0) {
            return false;
        }
        if (size == SMALL) {
            big = new LinkedHashSet<>(SMALL * 4);
            big.addAll(Arrays.asList(items).subList(0, size));
            big.add(t);
            items = null;
            size = 0;
            return true;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, Math.min(SMALL, size * 2));
        }
        items[size++] = t;
        modifications++;
        return true;
    }

    @Override
    public boolean remove(Object o) {
        if (big != null) {
            return big.remove(o);
        }
        int i = indexOf(o);
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    @Override
    public boolean contains(Object o) {
        return big != null ? big.contains(o) : indexOf(o) >= 0;
    }

    @Override
    public int size() {
        return big != null ? big.size() : size;
    }

    @Override
    public boolean isEmpty() {
        return big != null ? big.isEmpty() : size == 0;
    }

    @Override
    public void clear() {
        if (big != null) {
            big = null;
            items = new SchedulerTask[2];
        } else {
            Arrays.fill(items, 0, size, null);
        }
        size = 0;
        modifications++;
    }

    @Override
    public Iterator<SchedulerTask> iterator() {
        if (big != null) {
            return big.iterator();
        }
        return new Iterator<>() {
            private int next;
            private int expected = modifications;
            private boolean canRemove;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public SchedulerTask next() {
                if (expected != modifications) {
                    throw new ConcurrentModificationException();
                }
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                canRemove = true;
                return items[next++];
            }

            @Override
            public void remove() {
                if (!canRemove) {
                    throw new IllegalStateException();
                }
                canRemove = false;
                removeAt(--next);
                expected = modifications;
            }
        };
    }

    private int indexOf(Object o) {
        for (int i = 0; i < size; i++) {
            if (items[i] == o) {
                return i;
            }
        }
        return -1;
    }

    private void removeAt(int i) {
        System.arraycopy(items, i + 1, items, i, size - i - 1);
        items[--size] = null;
        modifications++;
    }
}
